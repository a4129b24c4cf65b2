import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkRules, mpegFrameLength, probe, readIsoBmff, sniffContainer } from '../../../src/audio';
import { ensureAudioTools, makeToolFixtures, speechLike, wavBytes } from '../../../tools/fixtures/audio';
import { nestedMp4 } from './hostile';

describe('audio: sniffing the container before a parser scans the bytes', function () {
  this.timeout(120_000);
  let dir: string;
  let fx: ReturnType<typeof makeToolFixtures>;
  before(async () => {
    await ensureAudioTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-sniff-'));
    fx = makeToolFixtures(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names real WAV, MP3, MP4 and MOV files by their first bytes', () => {
    assert.strictEqual(sniffContainer(wavBytes([speechLike(1)])), 'wav');
    assert.strictEqual(sniffContainer(fs.readFileSync(fx.mp3)), 'mp3');
    assert.strictEqual(sniffContainer(fs.readFileSync(fx.mp4)), 'iso');
    assert.strictEqual(sniffContainer(fs.readFileSync(fx.mov)), 'iso');
    // An MP3 without its ID3 tag starts right at a frame.
    const mp3 = fs.readFileSync(fx.mp3);
    const firstFrame = mp3.indexOf(Buffer.from([0xff, 0xfb]));
    assert.ok(firstFrame > 0);
    assert.strictEqual(sniffContainer(mp3.subarray(firstFrame)), 'mp3');
  });

  it('computes MPEG frame lengths from the header (128 kbit/s at 44.1 kHz is 417 bytes, 418 padded)', () => {
    assert.strictEqual(mpegFrameLength(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]), 0), 417);
    assert.strictEqual(mpegFrameLength(Uint8Array.from([0xff, 0xfb, 0x92, 0x64]), 0), 418);
    assert.strictEqual(mpegFrameLength(Uint8Array.from([0xff, 0xff, 0xff, 0xff]), 0), 0, 'bitrate index 15 is invalid');
    assert.strictEqual(
      mpegFrameLength(Uint8Array.from([0xff, 0xe9, 0x90, 0x64]), 0),
      0,
      'version bits 01 are reserved',
    );
  });

  it('refuses a 4 MB file of 0xFF bytes named .mp3 at once, without a parser scanning it', async () => {
    const bytes = new Uint8Array(4 * 1024 * 1024).fill(0xff);
    assert.strictEqual(sniffContainer(bytes), undefined);
    const started = performance.now();
    const p = await probe(bytes, 'ff.mp3');
    const ms = performance.now() - started;
    assert.strictEqual(p.isAudio, false);
    assert.match(p.problem ?? '', /not a readable audio or video file/);
    assert.match(checkRules(p).errors.join(' '), /ff\.mp3 is not usable audio/);
    assert.ok(ms < 1000, `refused in ${ms.toFixed(0)} ms`);
  });

  it('refuses an ID3 tag followed by garbage, and text with an audio extension', async () => {
    const id3 = Buffer.concat([
      Buffer.from('ID3\x03\0\0\0\0\x02\0', 'latin1'),
      Buffer.alloc(256),
      Buffer.alloc(200_000, 0xff),
    ]);
    assert.strictEqual(sniffContainer(id3), undefined);
    assert.strictEqual((await probe(id3, 'tagged.mp3')).isAudio, false);
    assert.strictEqual(sniffContainer(Buffer.from('just some text, not audio at all')), undefined);
  });

  it('an MP4 with 20,000 nested boxes is "not readable", not a stack overflow', async () => {
    const bytes = nestedMp4(20000);
    assert.doesNotThrow(() => readIsoBmff(bytes));
    const p = await probe(bytes, 'nested.mp4');
    assert.strictEqual(p.isAudio, false);
    assert.ok(p.problem, 'it says why');
  });
});
