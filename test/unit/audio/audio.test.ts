import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import {
  DecodeLimitError,
  LevelMeter,
  MAX_DECODE_SEC,
  MAX_FILE_BYTES,
  analyze,
  checkRules,
  clippedMask,
  decodeAudio,
  decodeMp3,
  decodeWav,
  mixToMono,
  tooLongToDecode,
  encodeWavMono16,
  exportWindowWav,
  probe,
  readIsoBmff,
  reportMarkdown,
  suggestWindow,
  summaryLine,
  uniqueVoiceNames,
  voiceNameFromFile,
  type ProbeResult,
} from '../../../src/audio';
import {
  ToolFixtures,
  add,
  clip,
  concat,
  ensureAudioTools,
  makeToolFixtures,
  noise,
  silence,
  sine,
  speechLike,
  wavBytes,
} from '../../../tools/fixtures/audio';
import { formatNoiseFloor, formatSnr, qualityLine } from '../../../src/shared/format';

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

describe('audio: best window', () => {
  it('finds the speech between long silences and noise, within 5–30 s', () => {
    // 10 s silence, 12 s speech, 8 s noise-only, 15 s silence: 45 s in all.
    const s = concat(silence(10), speechLike(12), noise(8, 16000, 0.002), silence(15));
    const w = suggestWindow({ sampleRate: 16000, channels: [s] }, 12);
    assert.ok(w);
    assert.ok(w.endSec - w.startSec >= 5 && w.endSec - w.startSec <= 30);
    assert.ok(w.startSec >= 9 && w.startSec <= 10.5, `start ${w.startSec}`);
    assert.ok(w.endSec >= 21.5 && w.endSec <= 23, `end ${w.endSec}`);
    assert.ok(w.activeShare > 0.7, `active ${w.activeShare}`);
  });

  it('does not take steady background noise for speech (the 20 s of speech, not the 14 s of hiss after it)', () => {
    const s = concat(silence(6), speechLike(20), noise(14, 16000, 0.01));
    const w = suggestWindow({ sampleRate: 16000, channels: [s] });
    assert.ok(w);
    assert.ok(w.startSec >= 5 && w.startSec <= 6.5, `start ${w.startSec}`);
    assert.ok(w.endSec >= 25 && w.endSec <= 27, `end ${w.endSec}`);
  });

  it('avoids a clipped stretch when a clean one is available', () => {
    const s = concat(clip(speechLike(10), 5), silence(1), speechLike(10));
    const w = suggestWindow({ sampleRate: 16000, channels: [s] }, 8);
    assert.ok(w);
    assert.ok(w.startSec >= 10, `start ${w.startSec}`);
    assert.strictEqual(w.clippedShare, 0);
  });

  it('caps the window at 30 s and the file length; nothing under 5 s', () => {
    const long = suggestWindow({ sampleRate: 8000, channels: [speechLike(60, 8000)] }, 45);
    assert.ok(long && long.endSec - long.startSec <= 30);
    const short = suggestWindow({ sampleRate: 8000, channels: [speechLike(7, 8000)] });
    assert.ok(short && short.endSec <= 7 + 1e-9);
    assert.strictEqual(suggestWindow({ sampleRate: 8000, channels: [speechLike(4, 8000)] }), undefined);
  });
});

describe('audio: names from file names', () => {
  it('drops the extension and separators and keeps 20 characters', () => {
    assert.strictEqual(voiceNameFromFile('/a/b/narrator_take-2.wav'), 'narrator take 2');
    assert.strictEqual(voiceNameFromFile('C:\\rec\\My very long recording name here.mp3'), 'My very long recordi');
    assert.strictEqual(voiceNameFromFile('__.wav'), 'Voice');
    assert.strictEqual(
      voiceNameFromFile('声音样本声音样本声音样本声音样本声音样本声音样本.wav'),
      '声音样本声音样本声音样本声音样本声音样本',
    );
  });

  it('makes names unique and ≤ 20 characters, also against names already taken', () => {
    const names = uniqueVoiceNames(
      [
        'a/Interview.wav',
        'b/interview.wav',
        'c/Interview.mp3',
        'A very long speaker name 1.wav',
        'A very long speaker name 2.wav',
      ],
      ['Interview'],
    );
    assert.deepStrictEqual(names, [
      'Interview 2',
      'interview 3',
      'Interview 4',
      'A very long speaker',
      'A very long speake 2',
    ]);
    assert.ok(names.every((n) => Array.from(n).length <= 20));
  });
});

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

describe('audio: report text', () => {
  it('summarises and reports with the measured numbers and the warnings', async () => {
    const bytes = wavBytes([clip(speechLike(8), 3)]);
    const p = await probe(bytes, '/x/take.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    assert.match(summaryLine(p, r), /^8\.00 s · WAV PCM · 16 kHz mono · peak 0\.0 dBFS · \d warnings?$/);
    const md = reportMarkdown(p, r, { startSec: 1, endSec: 7 });
    assert.match(md, /^# Voice sample check: take\.wav/);
    assert.match(md, /\| Clipping \| \d+\.\d+ %/);
    assert.match(md, /\| Sent \| window 1\.00 s – 7\.00 s/);
    assert.match(md, /## Warnings\n\n- Clipping/);
    assert.match(summaryLine({ ...p, kind: 'mp4', codec: 'MPEG-4/AAC' }), /not decoded/);
  });
});

describe('audio: numbers as a user reads them (report, trimmer, form)', () => {
  it('a noise floor at digital silence reads "none (digital silence)", a real one in dBFS', () => {
    assert.strictEqual(formatNoiseFloor(-120), 'none (digital silence)');
    assert.strictEqual(formatNoiseFloor(Number.NEGATIVE_INFINITY), 'none (digital silence)');
    assert.strictEqual(formatNoiseFloor(-62.34), '−62.3 dBFS');
    assert.doesNotMatch(formatNoiseFloor(-120), /∞/);
  });

  it('SNR: "> 90 dB" over digital silence, "≥ 90 dB" at the cap, whole dB otherwise', () => {
    assert.strictEqual(formatSnr(90, -120), '>\u00a090 dB');
    assert.strictEqual(formatSnr(90, -100), '≥\u00a090 dB');
    assert.strictEqual(formatSnr(90), '≥\u00a090 dB');
    assert.strictEqual(formatSnr(41.6, -60), '42 dB');
    assert.strictEqual(formatSnr(0, -20), '0 dB');
  });

  it('speech with exact zeros between the words: the report and the one-line summary say so, without −∞ or "90 dB"', async () => {
    const bytes = wavBytes([speechLike(8)]); // 0.4 s of digital silence every 2 s
    const p = await probe(bytes, 'narrator.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    assert.ok(r.noiseFloorDbfs <= -120, `the fixture has a digitally silent floor (${r.noiseFloorDbfs})`);
    assert.strictEqual(r.snrDb, 90);
    const md = reportMarkdown(p, r);
    assert.match(md, /\| Noise floor \(est\.\) \| none \(digital silence\) \|/);
    assert.match(md, /\| SNR \(est\.\) \| >\u00a090 dB \|/);
    assert.doesNotMatch(md, /∞/);
    const line = qualityLine({
      peakDbfs: r.peakDbfs,
      rmsDbfs: r.rmsDbfs,
      clippingShare: r.clippingShare,
      silenceShare: r.silenceShare,
      noiseFloorDbfs: r.noiseFloorDbfs,
      snrDb: r.snrDb,
    });
    assert.match(line, /SNR >\u00a090 dB/);
  });

  it('a noisy recording keeps its measured numbers', async () => {
    const bytes = wavBytes([add(speechLike(8), noise(8, 16000, 0.003))]);
    const p = await probe(bytes, 'room.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    const md = reportMarkdown(p, r);
    assert.match(md, /\| Noise floor \(est\.\) \| −\d+\.\d dBFS \|/);
    assert.match(md, /\| SNR \(est\.\) \| \d+ dB \|/);
  });
});
