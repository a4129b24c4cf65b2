import * as assert from 'assert';

import { MAX_FILE_BYTES, checkRules, probe, readIsoBmff } from '../../../src/audio';
import { speechLike, wavBytes } from '../../../tools/fixtures/audio';

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('audio: probe and rules (synthesized files)', () => {
  it('probes a 16-bit mono WAV', async () => {
    const bytes = wavBytes([speechLike(8)], { sampleRate: 16000 });
    const p = await probe(bytes, 'sample.wav');
    assert.strictEqual(p.isAudio, true);
    assert.strictEqual(p.kind, 'wav');
    assert.strictEqual(p.container, 'WAVE');
    assert.strictEqual(p.codec, 'PCM');
    near(p.durationSec ?? 0, 8, 0.001, 'duration');
    assert.strictEqual(p.sampleRate, 16000);
    assert.strictEqual(p.channels, 1);
    assert.strictEqual(p.sizeBytes, bytes.length);
    assert.strictEqual(p.decodable, true);
    assert.deepStrictEqual(checkRules(p).errors, []);
  });

  it('probes stereo 24-bit and float WAV', async () => {
    const p = await probe(
      wavBytes([speechLike(6, 48000), speechLike(6, 48000)], { bits: 24, sampleRate: 48000 }),
      'st.wav',
    );
    assert.strictEqual(p.channels, 2);
    assert.strictEqual(p.sampleRate, 48000);
    near(p.durationSec ?? 0, 6, 0.001, 'duration');
    const f = await probe(wavBytes([speechLike(6)], { bits: 32, float: true }), 'f.wav');
    assert.ok(f.isAudio && f.decodable);
  });

  it('refuses too short and too long with the real numbers; only a long decodable file is trimmable', async () => {
    const short = checkRules(await probe(wavBytes([speechLike(2.5)]), 'short.wav'));
    assert.match(short.errors.join(' '), /short\.wav is 2\.50 s long; Kling needs 5–30 s/);
    assert.strictEqual(short.trimmable, false);
    const long = checkRules(await probe(wavBytes([speechLike(42, 8000)], { sampleRate: 8000 }), 'long.wav'));
    assert.match(long.errors.join(' '), /long\.wav is 42\.0 s long; Kling accepts 5–30 s/);
    assert.strictEqual(long.trimmable, true);
  });

  it('refuses text with an audio extension, empty files, other types and oversize files', async () => {
    for (const name of ['notes.mp3', 'notes.wav', 'notes.mp4', 'notes.mov']) {
      const p = await probe(Buffer.from('This is a text file, not audio.\n'.repeat(200)), name);
      assert.strictEqual(p.isAudio, false, name);
      assert.match(checkRules(p).errors.join(' '), /not usable audio/, name);
    }
    assert.match((await probe(new Uint8Array(0), 'empty.wav')).problem ?? '', /empty/);
    const ogg = checkRules(await probe(wavBytes([speechLike(6)]), 'sample.flac'));
    assert.match(ogg.errors.join(' '), /accepts \.mp3, \.wav, \.mp4 and \.mov files, not "\.flac"/);
    const big = checkRules({
      fileName: 'big.wav',
      extension: '.wav',
      sizeBytes: MAX_FILE_BYTES + 1,
      isAudio: true,
      kind: 'wav',
      durationSec: 10,
      decodable: true,
    });
    assert.match(big.errors.join(' '), /50\.0 MB; the limit is 50\.0 MB/);
  });

  it('refuses a file whose content does not match its extension', async () => {
    const p = await probe(wavBytes([speechLike(6)]), 'disguised.mp3');
    assert.match(checkRules(p).errors.join(' '), /named \.mp3 but contains WAV/);
  });

  it('reads the audio track of an ISO BMFF file and ignores non-ISO bytes', () => {
    assert.strictEqual(readIsoBmff(Buffer.from('not an mp4 file at all, just text')), undefined);
  });
});
