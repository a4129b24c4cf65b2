import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import {
  DecodeLimitError,
  analyze,
  checkRules,
  decodeAudio,
  decodeMp3,
  tooLongToDecode,
  exportWindowWav,
  probe,
  readIsoBmff,
  suggestWindow,
} from '../../../src/audio';
import {
  ToolFixtures,
  concat,
  ensureAudioTools,
  makeToolFixtures,
  silence,
  speechLike,
  wavBytes,
} from '../../../tools/fixtures/audio';

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('audio: real speech via espeak-ng, sox and ffmpeg (mp3 / mp4 / mov)', function () {
  this.timeout(180_000);
  let dir: string;
  let fx: ToolFixtures;
  before(async () => {
    await ensureAudioTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-audio-fixtures-'));
    fx = makeToolFixtures(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('WAV speech: probe, decode, report, window', async () => {
    const bytes = fs.readFileSync(fx.wav);
    const p = await probe(bytes, fx.wav);
    assert.strictEqual(p.kind, 'wav');
    assert.ok(p.durationSec && p.durationSec > 5 && p.durationSec < 30, `duration ${p.durationSec}`);
    assert.deepStrictEqual(checkRules(p).errors, []);
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    near(r.peakDbfs, -3, 0.2, 'sox normalised to −3 dBFS');
    assert.ok(r.silenceShare > 0.05 && r.silenceShare < 0.5, `silence ${r.silenceShare}`);
    assert.ok(r.snrDb > 30, `snr ${r.snrDb}`);
  });

  it('MP3: probed and decoded by the WebAssembly decoder to the same length', async () => {
    const bytes = fs.readFileSync(fx.mp3);
    const p = await probe(bytes, fx.mp3);
    assert.strictEqual(p.kind, 'mp3');
    assert.strictEqual(p.codec, 'MPEG 1 Layer 3');
    assert.ok(p.decodable);
    const wavDuration = (await probe(fs.readFileSync(fx.wav), fx.wav)).durationSec ?? 0;
    near(p.durationSec ?? 0, wavDuration, 0.1, 'mp3 duration');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    assert.strictEqual(audio.sampleRate, 44100);
    assert.strictEqual(audio.channels.length, 1, 'a mono MP3 decodes to one channel');
    near(audio.channels[0].length / audio.sampleRate, wavDuration, 0.1, 'decoded length');
    near(analyze(audio).peakDbfs, -3, 1, 'mp3 peak');
  });

  it('MP3 decoding stops at the limit instead of decoding the whole file', async () => {
    const bytes = fs.readFileSync(fx.mp3);
    const length = (await probe(bytes, fx.mp3)).durationSec ?? 0;
    assert.ok(length > 8, `the fixture is ${length} s`);
    // The decoder is fed 64 KB at a time (about 5 s at 96 kbps): it stops after the piece that crosses the limit.
    await assert.rejects(
      decodeMp3(bytes, { maxSec: 2 }),
      (e: unknown) => e instanceof DecodeLimitError && e.seconds > 2 && e.seconds < length - 2,
    );
  });

  it('a stereo MP3 decodes to its mono mix; the report still counts and measures both channels', async () => {
    const left = concat(speechLike(6, 44100, 0.7), silence(1, 44100));
    const right = concat(silence(1, 44100), speechLike(6, 44100, 0.2));
    const wavFile = path.join(dir, 'stereo.wav');
    const mp3File = path.join(dir, 'stereo.mp3');
    fs.writeFileSync(wavFile, wavBytes([left, right], { sampleRate: 44100 }));
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-i',
      wavFile,
      '-codec:a',
      'libmp3lame',
      '-joint_stereo',
      '0',
      '-b:a',
      '192k',
      mp3File,
    ]);
    const bytes = fs.readFileSync(mp3File);
    const p = await probe(bytes, mp3File);
    assert.strictEqual(p.channels, 2);
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    assert.strictEqual(audio.channels.length, 1);
    assert.strictEqual(audio.source?.channels, 2, 'two different channels are not taken for a mono file');
    near(audio.channels[0].length / audio.sampleRate, 7, 0.1, 'decoded length');
    const r = analyze(audio);
    assert.strictEqual(r.channels, 2);
    near(r.peakDbfs, analyze({ sampleRate: 44100, channels: [left, right] }).peakDbfs, 1, 'peak of the louder channel');
  });

  it('a 12 min MP3 is probed (its facts are known) and judged too long to decode', async () => {
    const mp3File = path.join(dir, 'interview.mp3');
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=220:sample_rate=8000:duration=720',
      '-ac',
      '1',
      '-codec:a',
      'libmp3lame',
      '-b:a',
      '8k',
      mp3File,
    ]);
    const p = await probe(fs.readFileSync(mp3File), mp3File);
    assert.strictEqual(p.kind, 'mp3');
    near(p.durationSec ?? 0, 720, 1, 'probed duration');
    assert.strictEqual(tooLongToDecode(p), true);
    const rules = checkRules(p);
    assert.strictEqual(rules.trimmable, false);
    assert.match(
      rules.errors.join(' '),
      /interview\.mp3 is 72\d\.\d s \(12 min( \d s)?\) long; .*files over 10 min are not decoded here/,
    );
  });

  it('MP4 and MOV: the audio track duration is read (music-metadata has none for .mov); not decoded', async () => {
    const wavDuration = (await probe(fs.readFileSync(fx.wav), fx.wav)).durationSec ?? 0;
    for (const [file, kind] of [
      [fx.mp4, 'mp4'],
      [fx.mov, 'mov'],
    ] as const) {
      const bytes = fs.readFileSync(file);
      const p = await probe(bytes, file);
      assert.strictEqual(p.kind, kind, file);
      assert.strictEqual(p.isAudio, true, file);
      assert.strictEqual(p.codec, 'MPEG-4/AAC');
      assert.strictEqual(p.hasVideo, true);
      near(p.durationSec ?? 0, wavDuration, 0.1, `${kind} audio duration`);
      assert.strictEqual(p.decodable, false);
      assert.deepStrictEqual(checkRules(p).errors, []);
      assert.strictEqual(await decodeAudio(bytes, p), undefined);
      const iso = readIsoBmff(bytes);
      assert.ok(iso?.tracks.some((t) => t.handler === 'soun' && t.format === 'mp4a'));
    }
  });

  it('a 40 s WAV is refused as too long, with a suggested window that exports a valid sample', async () => {
    const bytes = fs.readFileSync(fx.longWav);
    const p = await probe(bytes, fx.longWav);
    const rules = checkRules(p);
    assert.ok(rules.trimmable);
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const w = suggestWindow(audio);
    assert.ok(w);
    const out = exportWindowWav(audio, w, { normalizePeakDbfs: -1 });
    const again = await probe(out, 'trimmed.wav');
    assert.deepStrictEqual(checkRules(again).errors, []);
    near(again.durationSec ?? 0, w.endSec - w.startSec, 0.01, 'exported duration');
    assert.strictEqual(again.channels, 1);
    assert.strictEqual(again.bitsPerSample, 16);
  });
});
