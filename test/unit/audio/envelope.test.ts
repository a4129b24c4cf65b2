import * as assert from 'assert';
import { peakEnvelope } from '../../../src/audio';

describe('trimmer: peak envelope', () => {
  it('downsamples the mono mix to the peak of each slice, within 0–1', () => {
    const left = new Float32Array(1000);
    const right = new Float32Array(1000);
    left[10] = 0.5; // slice 0
    right[10] = 0.5;
    left[250] = -0.8; // slice 2, only one channel: mono mix is −0.4
    left[999] = 1.5; // slice 9, out of range: capped
    right[999] = 1.5;
    const env = peakEnvelope({ sampleRate: 1000, channels: [left, right] }, 10);
    assert.strictEqual(env.length, 10);
    assert.strictEqual(env[0], 0.5);
    assert.strictEqual(env[1], 0);
    assert.strictEqual(env[2], 0.4);
    assert.strictEqual(env[9], 1);
  });

  it('never has more values than samples, and rounds to 3 decimals', () => {
    assert.deepStrictEqual(
      peakEnvelope({ sampleRate: 8000, channels: [Float32Array.from([0.12345, -0.5, 0])] }, 2000),
      [0.123, 0.5, 0],
    );
    assert.deepStrictEqual(peakEnvelope({ sampleRate: 8000, channels: [new Float32Array(0)] }), []);
  });

  it('a 40 s file gives 2000 values by default (a few KB to post, not the audio)', () => {
    const env = peakEnvelope({ sampleRate: 16000, channels: [new Float32Array(40 * 16000).fill(0.25)] });
    assert.strictEqual(env.length, 2000);
    assert.ok(env.every((v) => v === 0.25));
  });
});
