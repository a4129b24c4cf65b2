import * as assert from 'assert';
import {
  characterCount,
  toCreateBody,
  urlExtensionWarning,
  validateCreateInput,
  validateHttpUrl,
  validateVoiceName,
} from '../../../src/kling';

describe('validation', () => {
  it('counts characters, not bytes or UTF-16 units', () => {
    assert.strictEqual(characterCount('abc'), 3);
    assert.strictEqual(characterCount('声音克隆'), 4);
    assert.strictEqual(characterCount('🎤🎤'), 2);
  });

  it('accepts a 20-character name and rejects 21, even with multi-byte characters', () => {
    assert.strictEqual(validateVoiceName('a'.repeat(20)), undefined);
    assert.match(validateVoiceName('a'.repeat(21)) ?? '', /21 characters/);
    assert.strictEqual(
      validateVoiceName('声'.repeat(20)),
      undefined,
      '20 CJK characters are 60 bytes but 20 characters',
    );
    assert.strictEqual(validateVoiceName('🎤'.repeat(20)), undefined);
    assert.ok(validateVoiceName('🎤'.repeat(21)));
  });

  it('rejects empty, blank and control-character names', () => {
    assert.ok(validateVoiceName(''));
    assert.ok(validateVoiceName('   '));
    assert.ok(validateVoiceName(undefined));
    assert.ok(validateVoiceName('a\u0007b'));
  });

  it('requires exactly one of voiceUrl and videoId', () => {
    const both = validateCreateInput({ voiceName: 'A', voiceUrl: 'https://x.test/a.wav', videoId: '123456' });
    assert.deepStrictEqual(
      both.errors.map((e) => e.field),
      ['source'],
    );
    const neither = validateCreateInput({ voiceName: 'A' });
    assert.deepStrictEqual(
      neither.errors.map((e) => e.field),
      ['source'],
    );
    const blank = validateCreateInput({ voiceName: 'A', voiceUrl: '  ', videoId: '' });
    assert.deepStrictEqual(
      blank.errors.map((e) => e.field),
      ['source'],
    );
    assert.deepStrictEqual(validateCreateInput({ voiceName: 'A', videoId: '8301' }).errors, []);
    assert.deepStrictEqual(validateCreateInput({ voiceName: 'A', voiceUrl: 'https://x.test/a.mp3' }).errors, []);
  });

  it('accepts only http(s) URLs for voice and callback', () => {
    assert.strictEqual(validateHttpUrl('https://example.com/a.wav', 'audio URL'), undefined);
    assert.strictEqual(validateHttpUrl('http://127.0.0.1:9/a.wav', 'audio URL'), undefined);
    assert.match(validateHttpUrl('ftp://example.com/a.wav', 'audio URL') ?? '', /http/);
    assert.match(validateHttpUrl('file:///tmp/a.wav', 'audio URL') ?? '', /http/);
    assert.match(validateHttpUrl('not a url', 'audio URL') ?? '', /not a valid URL/);
    const r = validateCreateInput({
      voiceName: 'A',
      voiceUrl: 'https://x.test/a.wav',
      callbackUrl: 'javascript:alert(1)',
    });
    assert.deepStrictEqual(
      r.errors.map((e) => e.field),
      ['callbackUrl'],
    );
  });

  it('warns, without blocking, on an unsupported extension in the URL path only', () => {
    assert.match(urlExtensionWarning('https://x.test/a.ogg') ?? '', /\.ogg/);
    assert.strictEqual(urlExtensionWarning('https://x.test/a.WAV'), undefined);
    assert.strictEqual(urlExtensionWarning('https://x.test/a.wav?sig=abc.txt'), undefined);
    assert.strictEqual(urlExtensionWarning('https://x.test/presigned/abcdef'), undefined);
    const r = validateCreateInput({ voiceName: 'A', voiceUrl: 'https://x.test/a.flac' });
    assert.deepStrictEqual(r.errors, []);
    assert.deepStrictEqual(
      r.warnings.map((w) => w.field),
      ['voiceUrl'],
    );
  });

  it('rejects wrong types from untyped callers instead of crashing', () => {
    const r = validateCreateInput({ voiceName: 42 as unknown as string, voiceUrl: ['x'] as unknown as string });
    assert.ok(r.errors.some((e) => e.field === 'voiceName'));
    assert.ok(r.errors.some((e) => e.field === 'voiceUrl'));
    assert.ok(validateCreateInput(undefined).errors.length > 0);
    assert.ok(
      validateCreateInput({ voiceName: 'A', videoId: '1', externalTaskId: 'has space' }).errors.some(
        (e) => e.field === 'externalTaskId',
      ),
    );
  });

  it('builds a body with only the chosen source and the external id', () => {
    const body = toCreateBody(
      { voiceName: ' Narrator ', voiceUrl: ' https://x.test/a.wav ', callbackUrl: '' },
      'vsc-1',
    );
    assert.deepStrictEqual(body, {
      voice_name: 'Narrator',
      voice_url: 'https://x.test/a.wav',
      external_task_id: 'vsc-1',
    });
    assert.deepStrictEqual(toCreateBody({ voiceName: 'N', videoId: '99' }, 'e'), {
      voice_name: 'N',
      video_id: '99',
      external_task_id: 'e',
    });
  });
});
