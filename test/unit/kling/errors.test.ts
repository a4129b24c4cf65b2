import * as assert from 'assert';
import {
  KlingError,
  KlingErrorKind,
  isConcurrencyLimit,
  isVoiceLimit,
  isTaskUnknown,
  isTaskUnknownOrNotRouted,
  needsApiKey,
} from '../../../src/kling';

const err = (kind: KlingErrorKind, extra: { code?: number; status?: number } = {}) =>
  new KlingError({ kind, message: `${kind} ${extra.code ?? ''} ${extra.status ?? ''}`, ...extra });

describe('kling: error-code predicates', () => {
  it('isConcurrencyLimit: code 1303 only (not the 1302 rate limit, not a bare 429, not a plain Error)', () => {
    assert.strictEqual(isConcurrencyLimit(err('api', { status: 429, code: 1303 })), true);
    assert.strictEqual(isConcurrencyLimit(err('api', { status: 429, code: 1302 })), false);
    assert.strictEqual(isConcurrencyLimit(err('http', { status: 429 })), false);
    assert.strictEqual(isConcurrencyLimit(Object.assign(new Error('x'), { code: 1303 })), false);
  });

  it('needsApiKey: no key stored, or Kling refused the key (1000–1004); not other codes or kinds', () => {
    assert.strictEqual(needsApiKey(err('noApiKey')), true);
    for (const code of [1000, 1001, 1002, 1003, 1004]) {
      assert.strictEqual(needsApiKey(err('api', { status: 401, code })), true, `code ${code}`);
    }
    assert.strictEqual(needsApiKey(err('api', { status: 429, code: 1102 })), false, 'balance, not the key');
    assert.strictEqual(needsApiKey(err('api', { status: 403, code: 1103 })), false, 'permission, not the key');
    assert.strictEqual(needsApiKey(err('http', { status: 401 })), false, 'a bare 401 has no Kling code');
    assert.strictEqual(needsApiKey(err('badResponse', { code: 1000 })), false, 'only an api error');
    assert.strictEqual(needsApiKey(new Error('no key')), false);
  });

  it('isTaskUnknown: only Kling codes 1201/1203, never a bare HTTP 400/404 (which may be a proxy)', () => {
    assert.strictEqual(isTaskUnknown(err('api', { status: 400, code: 1201 })), true);
    assert.strictEqual(isTaskUnknown(err('api', { status: 404, code: 1203 })), true);
    assert.strictEqual(isTaskUnknown(err('api', { status: 404, code: 1202 })), false);
    assert.strictEqual(isTaskUnknown(err('api', { status: 400, code: 1200 })), false);
    assert.strictEqual(isTaskUnknown(err('http', { status: 404 })), false);
    assert.strictEqual(isTaskUnknown(err('http', { status: 400 })), false);
    assert.strictEqual(isTaskUnknown(err('badResponse', { code: 1201 })), false, 'only an api error');
    assert.strictEqual(isTaskUnknown(Object.assign(new Error('x'), { kind: 'api', code: 1201 })), false);
  });

  it('isTaskUnknownOrNotRouted: isTaskUnknown plus a bare HTTP 400/404; not other statuses or failures', () => {
    assert.strictEqual(isTaskUnknownOrNotRouted(err('api', { status: 400, code: 1201 })), true);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('api', { status: 404, code: 1203 })), true);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('http', { status: 404 })), true);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('http', { status: 400 })), true);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('http', { status: 403 })), false);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('http', { status: 502 })), false);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('api', { status: 404, code: 1202 })), false);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('network')), false);
    assert.strictEqual(isTaskUnknownOrNotRouted(err('badResponse', { status: 404 })), false, 'only http or api errors');
  });
});

describe('isVoiceLimit (no Kling code for it: the refusal text, matched conservatively)', () => {
  const api = (code: number, message: string) => new KlingError({ kind: 'api', status: 400, code, message });
  it('a refusal that says the account has its maximum of voices', () => {
    for (const m of [
      'voice_limit_reached (10/10)',
      'Too many custom voices for this account',
      'custom voice quota exceeded',
      'maximum number of voices reached',
      'the voice count has reached the plan limit',
    ]) {
      assert.ok(isVoiceLimit(api(1201, m)), m);
    }
  });
  it('not the balance, rate, concurrency or whitelist codes, other refusals, or errors that are not refusals', () => {
    assert.ok(!isVoiceLimit(api(1102, 'voice limit of your resource pack: balance not enough')));
    assert.ok(!isVoiceLimit(api(1303, 'parallel task over resource pack limit')));
    assert.ok(!isVoiceLimit(api(1201, 'Voice id not found')));
    assert.ok(!isVoiceLimit(api(1201, 'voice_name exceeds the limit of 20 characters')));
    assert.ok(!isVoiceLimit(new KlingError({ kind: 'network', message: 'too many voices' })));
    assert.ok(!isVoiceLimit(new Error('voice_limit_reached')));
  });
});
