import * as assert from 'assert';

import { analyze, decodeWav, encodeWavMono16, exportWindowWav } from '../../../src/audio';
import { concat, silence, sine, wavBytes } from '../../../tools/fixtures/audio';

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('audio: WAV decode and export', () => {
  it('decodes 8/16/24/32-bit integer and 32/64-bit float WAV with any channel count', () => {
    const left = sine(0.5, 8000, 440, 0.5);
    const right = sine(0.5, 8000, 880, 0.25);
    const third = silence(0.5, 8000);
    for (const [bits, float] of [
      [8, false],
      [16, false],
      [24, false],
      [32, false],
      [32, true],
      [64, true],
    ] as const) {
      for (const extensible of [false, true]) {
        const audio = decodeWav(
          wavBytes([left, right, third], { sampleRate: 8000, bits, float, extensible, extraChunk: true }),
        );
        assert.strictEqual(audio.sampleRate, 8000);
        assert.strictEqual(audio.channels.length, 3);
        assert.strictEqual(audio.channels[0].length, left.length);
        const tol = bits === 8 ? 0.01 : 1e-4;
        for (const i of [1, 7, 100, 1234, 3999]) {
          near(audio.channels[0][i], left[i], tol, `${bits}-bit${float ? ' float' : ''} L[${i}]`);
          near(audio.channels[1][i], right[i], tol, `${bits}-bit R[${i}]`);
          near(audio.channels[2][i], 0, tol, `${bits}-bit C3[${i}]`);
        }
      }
    }
  });

  it('rejects what is not a WAV, and tolerates a data chunk size of 0 from streaming writers', () => {
    assert.throws(() => decodeWav(Buffer.from('hello, not audio')), /RIFF/);
    const bytes = wavBytes([sine(0.2)]);
    bytes.writeUInt32LE(0, 40);
    assert.strictEqual(decodeWav(bytes).channels[0].length, sine(0.2).length);
  });

  it('round-trips a mono 16-bit export', () => {
    const src = sine(1, 16000, 300, 0.7);
    const bytes = encodeWavMono16(src, 16000);
    assert.strictEqual(bytes.length, 44 + src.length * 2);
    const back = decodeWav(bytes);
    assert.strictEqual(back.channels.length, 1);
    assert.strictEqual(back.sampleRate, 16000);
    for (let i = 0; i < src.length; i += 97) {
      near(back.channels[0][i], src[i], 1 / 16000, `sample ${i}`);
    }
  });

  it('trims a window, mixes stereo to mono and peak-normalises', () => {
    const l = concat(silence(2), sine(3, 16000, 220, 0.2), silence(2));
    const r = concat(silence(2), sine(3, 16000, 220, 0.1), silence(2));
    const out = decodeWav(
      exportWindowWav({ sampleRate: 16000, channels: [l, r] }, { startSec: 1.5, endSec: 6 }, { normalizePeakDbfs: -1 }),
    );
    assert.strictEqual(out.channels.length, 1);
    near(out.channels[0].length / 16000, 4.5, 0.001, 'duration');
    const report = analyze(out);
    near(report.peakDbfs, -1, 0.05, 'normalised peak');
    assert.strictEqual(out.channels[0][0], 0, 'starts with a fade from silence');
  });
});
