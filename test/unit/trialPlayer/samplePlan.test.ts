import * as assert from 'assert';
import { sampleMime, samplePlan, windowLabel } from '../../../src/trialPlayer/samplePlan';
import { sourceOf, validSource } from '../../../src/history/source';

describe('Trial tab: what it can play of the sample (A/B listen)', () => {
  it('a local file with its place: read by the host, labelled with the window that was sent', () => {
    const plan = samplePlan({
      source: {
        kind: 'file',
        fileName: 'narrator.wav',
        uri: 'file:///w/narrator.wav',
        window: { startSec: 3, endSec: 18.25 },
      },
    });
    assert.deepStrictEqual(plan, {
      kind: 'file',
      uri: 'file:///w/narrator.wav',
      fileName: 'narrator.wav',
      label: 'narrator.wav · 3.0–18.3 s',
      window: { startSec: 3, endSec: 18.25 },
    });
    assert.strictEqual(windowLabel('a.mp3', undefined), 'a.mp3');
  });

  it('a public https or loopback link plays as stored; a link that had a query, plain http elsewhere, a video id, no place: a reason', () => {
    assert.deepStrictEqual(samplePlan({ source: { kind: 'url', url: 'https://cdn.example.com/a.wav' } }), {
      kind: 'url',
      url: 'https://cdn.example.com/a.wav',
      label: 'https://cdn.example.com/a.wav',
    });
    assert.strictEqual(samplePlan({ source: { kind: 'url', url: 'http://127.0.0.1:9/a.wav' } }).kind, 'url');
    const reason = (o: Parameters<typeof samplePlan>[0]) => {
      const p = samplePlan(o);
      assert.strictEqual(p.kind, 'none', JSON.stringify(p));
      return p.kind === 'none' ? p.reason : '';
    };
    assert.match(
      reason({ source: { kind: 'url', url: 'https://s3.example.com/a.wav', stripped: true } }),
      /query string/,
    );
    assert.match(reason({ source: { kind: 'url', url: 'http://example.com/a.wav' } }), /Only https/);
    assert.match(reason({ source: { kind: 'video', videoId: '8830112233' } }), /video 8830112233/);
    assert.match(reason({ source: { kind: 'file', fileName: 'old.wav' } }), /old\.wav .*not recorded/);
    assert.match(reason({ preset: true }), /preset voice/);
    assert.match(reason({}), /not created in VS Code on this machine/);
  });

  it('the history keeps a URL without its query, and says it had one (never the query itself)', () => {
    const signed = sourceOf({ voiceUrl: 'https://s3.example.com/a.wav?X-Amz-Signature=abc&X-Amz-Credential=AKIA' });
    assert.deepStrictEqual(signed, { kind: 'url', url: 'https://s3.example.com/a.wav', stripped: true });
    assert.deepStrictEqual(sourceOf({ voiceUrl: 'https://user:pw@example.com/a.wav' }), {
      kind: 'url',
      url: 'https://example.com/a.wav',
      stripped: true,
    });
    assert.deepStrictEqual(sourceOf({ voiceUrl: 'https://example.com/a.wav#t=1' }), {
      kind: 'url',
      url: 'https://example.com/a.wav',
    });
    // Read back from globalState (data from disk): only well-formed fields survive.
    assert.deepStrictEqual(validSource({ kind: 'url', url: 'https://e.com/a.wav', stripped: 'yes' }), {
      kind: 'url',
      url: 'https://e.com/a.wav',
    });
    assert.deepStrictEqual(
      validSource({ kind: 'file', fileName: 'a.wav', uri: 'file:///a.wav', window: { startSec: 2, endSec: 9 } }),
      { kind: 'file', fileName: 'a.wav', uri: 'file:///a.wav', window: { startSec: 2, endSec: 9 } },
    );
    for (const window of [{ startSec: 9, endSec: 2 }, { startSec: -1, endSec: 2 }, { startSec: 'x' }, null, 7]) {
      assert.deepStrictEqual(
        validSource({ kind: 'file', fileName: 'a.wav', window }),
        { kind: 'file', fileName: 'a.wav', uri: undefined },
        JSON.stringify(window),
      );
    }
  });

  it('gives the page a type for the bytes by the file name', () => {
    assert.strictEqual(sampleMime('a.WAV'), 'audio/wav');
    assert.strictEqual(sampleMime('b.mp3'), 'audio/mpeg');
    assert.strictEqual(sampleMime('c.mov'), 'video/quicktime');
    assert.strictEqual(sampleMime('noext'), 'application/octet-stream');
  });
});
