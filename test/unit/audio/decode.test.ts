import * as assert from 'assert';

import {
  DecodeLimitError,
  LevelMeter,
  MAX_DECODE_SEC,
  analyze,
  checkRules,
  clippedMask,
  decodeAudio,
  decodeWav,
  mixToMono,
  tooLongToDecode,
  probe,
  type ProbeResult,
} from '../../../src/audio';
import { clip, concat, silence, sine, speechLike, wavBytes } from '../../../tools/fixtures/audio';

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe("audio: decoding keeps the mono mix and the levels of the file's own channels", () => {
  it('a stereo WAV decodes to one mono channel whose report equals the report of both channels', async () => {
    // Different channels, and clipping in the left one only: the mono mix alone would hide both.
    const left = concat(clip(speechLike(6), 4), speechLike(4));
    const right = concat(speechLike(6, 16000, 0.1), silence(4));
    const bytes = wavBytes([left, right], { bits: 24 });
    const p = await probe(bytes, 'stereo.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    assert.strictEqual(audio.channels.length, 1, 'only the mono mix is kept');
    assert.strictEqual(audio.source?.channels, 2);
    const full = decodeWav(bytes);
    const mix = mixToMono(full);
    assert.strictEqual(audio.channels[0].length, mix.length);
    for (let i = 0; i < mix.length; i += 997) {
      near(audio.channels[0][i], mix[i], 1e-6, `mono[${i}]`);
    }
    const streamed = analyze(audio);
    const whole = analyze(full);
    assert.strictEqual(streamed.channels, 2);
    assert.ok(streamed.warnings.some((w) => /2 channels/.test(w)));
    near(streamed.peakDbfs, whole.peakDbfs, 1e-9, 'peak');
    near(streamed.rmsDbfs, whole.rmsDbfs, 1e-9, 'rms');
    assert.ok(whole.clippingShare > 0.01, `the fixture clips (${whole.clippingShare})`);
    near(streamed.clippingShare, whole.clippingShare, 1e-12, 'clipping share');
    assert.deepStrictEqual(streamed.warnings, whole.warnings);
  });

  it('the level meter counts a clipped run split across blocks once, as clippedMask does', () => {
    const samples = concat(clip(speechLike(3), 5), silence(0.01), clip(sine(1, 16000, 50, 1), 3));
    const expected = clippedMask(samples).reduce((a, b) => a + b, 0);
    assert.ok(expected > 1000, `the fixture clips (${expected} samples)`);
    for (const blockSize of [1, 2, 3, 7, 1000, 65536]) {
      const meter = new LevelMeter(1);
      for (let from = 0; from < samples.length; from += blockSize) {
        const block = samples.subarray(from, Math.min(samples.length, from + blockSize));
        meter.add([block], block.length);
      }
      assert.strictEqual(meter.levels().clipped, expected, `blocks of ${blockSize}`);
    }
  });
});

describe('audio: files too long to decode (MAX_DECODE_SEC)', () => {
  const probed = (over: Partial<ProbeResult>): ProbeResult => ({
    fileName: 'interview.mp3',
    extension: '.mp3',
    sizeBytes: 50_000_000,
    isAudio: true,
    kind: 'mp3',
    codec: 'MPEG 1 Layer 3',
    sampleRate: 44100,
    channels: 2,
    durationSec: 3300,
    decodable: true,
    ...over,
  });

  it('the limit is 10 minutes', () => {
    assert.strictEqual(MAX_DECODE_SEC, 600);
  });

  it('a 55 min MP3 under the size cap is not decoded, and the refusal gives its length and the limit', () => {
    const p = probed({});
    assert.strictEqual(tooLongToDecode(p), true);
    const rules = checkRules(p);
    assert.strictEqual(rules.trimmable, false, 'nothing can be cut from audio that is not decoded');
    assert.match(
      rules.errors.join(' '),
      /interview\.mp3 is 3300\.0 s \(55 min\) long; Kling accepts 5–30 s, and files over 10 min are not decoded here/,
    );
  });

  it('up to 10 min a long file is decoded and trimmable; exactly 10 min still is', () => {
    for (const durationSec of [40, 9 * 60 + 59, 600]) {
      const p = probed({ durationSec });
      assert.strictEqual(tooLongToDecode(p), false, `${durationSec} s`);
      const rules = checkRules(p);
      assert.strictEqual(rules.trimmable, true, `${durationSec} s`);
      assert.match(rules.errors.join(' '), /Trim it to a window of clean speech/);
    }
    assert.strictEqual(tooLongToDecode(probed({ durationSec: 600.5 })), true);
    assert.match(checkRules(probed({ durationSec: 615 })).errors.join(' '), /615\.0 s \(10 min 15 s\) long/);
  });

  it('only decodable kinds are concerned: a long MP4 keeps the usual refusal', () => {
    const p = probed({ fileName: 'talk.mp4', extension: '.mp4', kind: 'mp4', codec: 'MPEG-4/AAC', decodable: false });
    assert.strictEqual(tooLongToDecode(p), false);
    assert.match(checkRules(p).errors.join(' '), /talk\.mp4 is 3300\.0 s long; Kling accepts 5–30 s\. Trim it/);
  });

  it('the decoder stops at its limit too, whatever the probe said (WAV: before decoding anything)', async () => {
    const bytes = wavBytes([speechLike(12, 8000)], { sampleRate: 8000 });
    const p = await probe(bytes, 'twelve.wav');
    await assert.rejects(decodeAudio(bytes, p, { maxSec: 10 }), (e: unknown) => {
      assert.ok(e instanceof DecodeLimitError);
      near(e.seconds, 12, 0.01, 'seconds');
      assert.strictEqual(e.limitSec, 10);
      assert.match(e.message, /longer than 10\.0 s/);
      return true;
    });
    const ok = await decodeAudio(bytes, p, { maxSec: 12.5 });
    assert.strictEqual(ok?.channels[0].length, 12 * 8000);
  });
});
