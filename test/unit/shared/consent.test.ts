import * as assert from 'assert';
import {
  cleanStatement,
  consentLines,
  consentStatement,
  describeSample,
  remoteSample,
  sampleKey,
  validConsentRecord,
  type ConsentRecord,
} from '../../../src/shared/consent';

const SHA = 'ab'.repeat(32);

describe('consent record (the speaker’s consent, kept locally)', () => {
  it('the statement: the default purpose, a chosen one, cleaned to one line', () => {
    assert.strictEqual(
      consentStatement(),
      "I have the speaker's permission to clone this voice for videos made with Kling.",
    );
    assert.strictEqual(
      consentStatement('  the  product demo.  '),
      "I have the speaker's permission to clone this voice for the product demo.",
    );
    assert.strictEqual(cleanStatement('a\nb\u0007  c'), 'a b c');
    assert.strictEqual(cleanStatement('   '), undefined);
    assert.strictEqual(cleanStatement(42), undefined);
    assert.strictEqual(cleanStatement('x'.repeat(900))?.length, 500);
  });

  it('a URL sample keeps no query, fragment or user info; its host is kept', () => {
    const s = remoteSample({ voiceUrl: 'https://user:pw@cdn.example.com/a/b.wav?X-Amz-Signature=abc&token=t#frag' });
    assert.deepStrictEqual(s, { kind: 'url', url: 'https://cdn.example.com/a/b.wav', host: 'cdn.example.com' });
    assert.ok(!JSON.stringify(s).match(/Signature|token|pw|frag/));
    assert.deepStrictEqual(remoteSample({ videoId: ' 123 ' }), { kind: 'video', videoId: '123' });
    assert.strictEqual(remoteSample({ voiceUrl: 'not a url' }), undefined);
  });

  it('one key per sample: two signed links to the same object are the same sample', () => {
    const a = remoteSample({ voiceUrl: 'https://cdn.example.com/a.wav?sig=1' });
    const b = remoteSample({ voiceUrl: 'https://cdn.example.com/a.wav?sig=2' });
    assert.ok(a && b);
    assert.strictEqual(sampleKey(a), sampleKey(b));
    assert.notStrictEqual(
      sampleKey({ kind: 'file', sha256: SHA }),
      sampleKey({ kind: 'file', sha256: 'cd'.repeat(32) }),
    );
    assert.strictEqual(
      sampleKey({ kind: 'file', sha256: SHA.toUpperCase() }),
      sampleKey({ kind: 'file', sha256: SHA }),
    );
  });

  it('a stored or imported record is rebuilt field by field: no extra field, no query, no bad shape', () => {
    const stored = {
      statement: consentStatement(),
      acceptedAt: '2026-03-01T10:00:00.000Z',
      via: 'dialog',
      sample: { kind: 'url', url: 'https://cdn.example.com/a.wav?token=SECRET', host: 'evil' },
      serviceHost: 'api.chainhub.tech',
      taskId: '42',
      voiceName: 'Narrator',
      apiKey: 'sk-should-not-survive',
    };
    const r = validConsentRecord(stored);
    assert.ok(r);
    assert.deepStrictEqual(Object.keys(r).sort(), [
      'acceptedAt',
      'sample',
      'serviceHost',
      'statement',
      'taskId',
      'via',
      'voiceName',
    ]);
    assert.deepStrictEqual(r.sample, { kind: 'url', url: 'https://cdn.example.com/a.wav', host: 'cdn.example.com' });
    assert.ok(!JSON.stringify(r).includes('SECRET') && !JSON.stringify(r).includes('sk-'));
    for (const bad of [
      null,
      'text',
      { ...stored, via: 'telepathy' },
      { ...stored, acceptedAt: 'yesterday' },
      { ...stored, statement: ' ' },
      { ...stored, sample: { kind: 'file', sha256: 'not-a-hash' } },
    ]) {
      assert.strictEqual(validConsentRecord(bad), undefined, JSON.stringify(bad));
    }
    assert.strictEqual(validConsentRecord({ ...stored, serviceHost: 'a b/c?x' })?.serviceHost, undefined);
  });

  it('a file sample is its SHA-256 and base name; the tooltip says what, when and how', () => {
    const r: ConsentRecord = {
      statement: consentStatement(),
      acceptedAt: '2026-03-01T10:00:00.000Z',
      via: 'setting',
      sample: { kind: 'file', sha256: SHA, fileName: 'narrator.wav' },
    };
    assert.strictEqual(describeSample(r.sample), 'narrator.wav, SHA-256 abababababababab…');
    const lines = consentLines(r);
    assert.match(lines[0], /^Consent: "I have the speaker's permission/);
    assert.match(lines[1], /^2026-03-01, pre-accepted by klingVoice\.consent\.preAccepted; sample: narrator\.wav/);
  });
});
