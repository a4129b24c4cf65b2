import * as assert from 'assert';

import { analyze } from '../../../src/audio';
import { add, clip, noise, silence, sine, speechLike } from '../../../tools/fixtures/audio';

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('audio: quality metrics on known signals', () => {
  it('a full-scale sine has peak 0 dBFS, RMS −3 dBFS, no clipping, no silence', () => {
    const r = analyze({ sampleRate: 44100, channels: [sine(6, 44100, 440, 1)] });
    near(r.peakDbfs, 0, 0.01, 'peak');
    near(r.rmsDbfs, -3.01, 0.02, 'rms');
    assert.strictEqual(r.clippingShare, 0);
    assert.strictEqual(r.silenceShare, 0);
    assert.ok(r.snrDb < 1, 'a steady tone has no quiet parts');
    assert.ok(
      r.warnings.some((w) => /noise or music/.test(w)),
      'a steady tone is flagged as likely music/noise',
    );
  });

  it('a −20 dBFS sine measures −20 peak and −23 RMS', () => {
    const r = analyze({ sampleRate: 16000, channels: [sine(6, 16000, 440, 0.1)] });
    near(r.peakDbfs, -20, 0.01, 'peak');
    near(r.rmsDbfs, -23.01, 0.02, 'rms');
  });

  it('clipping: a sine driven 4× into full scale reports a large clipped share and a warning', () => {
    const r = analyze({ sampleRate: 16000, channels: [clip(speechLike(8), 4)] });
    assert.ok(r.clippingShare > 0.02, `clipped share ${r.clippingShare}`);
    assert.ok(r.warnings.some((w) => /^Clipping/.test(w)));
  });

  it('silence: all-zero audio is silent, 100 % silence, and says so', () => {
    const r = analyze({ sampleRate: 16000, channels: [silence(8)] });
    assert.ok(r.silent);
    assert.strictEqual(r.silenceShare, 1);
    assert.strictEqual(r.peakDbfs, -120);
    assert.match(r.warnings[0], /silent/);
  });

  it('speech with pauses: a measured silence share, a low noise floor and a high SNR', () => {
    const r = analyze({ sampleRate: 16000, channels: [add(speechLike(10), noise(10, 16000, 0.0005))] });
    near(r.silenceShare, 0.2, 0.1, 'silence share (0.4 s pause every 2 s)');
    assert.ok(r.noiseFloorDbfs < -55 && r.noiseFloorDbfs > -75, `noise floor ${r.noiseFloorDbfs}`);
    assert.ok(r.snrDb > 40, `snr ${r.snrDb}`);
    assert.deepStrictEqual(r.warnings, []);
  });

  it('noisy speech: the noise floor rises and the SNR falls, with a warning about noise', () => {
    const r = analyze({ sampleRate: 16000, channels: [add(speechLike(10, 16000, 0.3), noise(10, 16000, 0.05))] });
    assert.ok(r.noiseFloorDbfs > -30, `noise floor ${r.noiseFloorDbfs}`);
    assert.ok(r.snrDb < 15, `snr ${r.snrDb}`);
    assert.ok(r.warnings.some((w) => /noise or music/.test(w)));
  });

  it('counts channels and notes stereo', () => {
    const r = analyze({ sampleRate: 16000, channels: [speechLike(6), speechLike(6)] });
    assert.strictEqual(r.channels, 2);
    assert.ok(r.warnings.some((w) => /2 channels/.test(w)));
  });
});
