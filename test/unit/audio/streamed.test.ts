// Before/after: the streamed pipeline (a file read a piece at a time, decoded as it streams by into running sums, no
// samples kept; windows decoded again from the file for the export) against the pipeline it replaced, frozen in
// legacy.ts (the whole mono mix at the file's rate in memory). Real files made with espeak-ng, sox and ffmpeg, and
// synthesized WAVs of every encoding.
//
// Tolerances, and why:
// - every number of the report, the suggested window and every exported WAV: none (strict equality, byte for byte).
//   The streamed sums add the same Float32 samples in the same order as the old code did over the whole mix, and a
//   window is decoded again to the same samples (a WAV's frames are read where they are; an MP3 is decoded from a few
//   frames before the window and every frame of the window is checked against a hash of the first pass).
// - the waveform (2,000 peaks for the trimmer's drawing): the streamed pass keeps the peaks of runs of `peakStep`
//   samples (a power of two, 256 for 9 minutes at 44.1 kHz), so a slice's edges are rounded out to whole runs. The
//   test checks exactly that definition, that no value is below the old one, and that ≥ 90 % of the values are equal.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FileSource,
  MonoAnalyzer,
  MpegStream,
  analyzePcm,
  analyzeSource,
  bytesSource,
  encodeWindow,
  envelopeOf,
  probe,
  probeFile,
  qualityWarnings,
  readMp3Range,
  readRange,
  reportOf,
  suggestFrom,
  windowRange,
  type AudioWindow,
  type DecodedSource,
  type PcmAudio,
} from '../../../src/audio';
import {
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
import {
  legacyAnalyze,
  legacyBlockClipped,
  legacyDecodeMp3,
  legacyDecodeWavMono,
  legacyExportWindowWav,
  legacyMixToMono,
  legacyPeakEnvelope,
  legacySuggestWindow,
} from './legacy';

interface Fixture {
  name: string;
  file: string;
}

function ffmpeg(...args: string[]): void {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The fixtures: every WAV encoding the decoder reads, and MP3s of every MPEG version, stereo mode and tag layout. */
function makeFixtures(dir: string): Fixture[] {
  const fx = makeToolFixtures(dir);
  const p = (name: string) => path.join(dir, name);
  const write = (name: string, channels: Float32Array[], options: Parameters<typeof wavBytes>[1] = {}) => {
    fs.writeFileSync(p(name), wavBytes(channels, options));
    return p(name);
  };
  // Clipping in the left channel only, in runs that straddle the 50 ms blocks; different channels.
  const left = concat(clip(speechLike(12, 44100, 0.6), 3), speechLike(20, 44100, 0.4), silence(3, 44100));
  const right = concat(speechLike(12, 44100, 0.2), noise(20, 44100, 0.01), sine(3, 44100, 300, 0.3));
  const stereo = write('stereo24.wav', [left, right], { sampleRate: 44100, bits: 24 });
  write('float32.wav', [concat(speechLike(8, 22050), clip(sine(2, 22050, 90, 1), 2))], {
    sampleRate: 22050,
    float: true,
    bits: 32,
  });
  write('eight.wav', [speechLike(7, 8000)], { sampleRate: 8000, bits: 8 });
  write('three.wav', [speechLike(6, 16000), noise(6, 16000, 0.05), sine(6, 16000, 200, 0.5)], {
    bits: 32,
    extensible: true,
  });
  ffmpeg('-i', fx.longWav, '-codec:a', 'libmp3lame', '-b:a', '64k', p('long.mp3'));
  ffmpeg('-i', stereo, '-codec:a', 'libmp3lame', '-joint_stereo', '0', '-q:a', '4', p('stereo-vbr.mp3'));
  ffmpeg('-i', fx.longWav, '-ar', '8000', '-codec:a', 'libmp3lame', '-b:a', '8k', p('mpeg25.mp3'));
  ffmpeg('-i', fx.longWav, '-ar', '22050', '-ac', '2', '-codec:a', 'libmp3lame', '-b:a', '48k', p('mpeg2.mp3'));
  ffmpeg('-i', fx.wav, '-codec:a', 'libmp3lame', '-write_xing', '0', '-b:a', '128k', p('noxing.mp3'));
  ffmpeg(
    ...['-i', fx.longWav, '-codec:a', 'libmp3lame', '-b:a', '96k', '-id3v2_version', '3', '-write_id3v1', '1'],
    ...['-metadata', 'title=A tagged sample', '-metadata', 'artist=Tests', p('tagged.mp3')],
  );
  const names = ['stereo24.wav', 'float32.wav', 'eight.wav', 'three.wav', 'long.mp3', 'stereo-vbr.mp3', 'mpeg25.mp3'];
  names.push('mpeg2.mp3', 'noxing.mp3', 'tagged.mp3');
  return [
    { name: 'speech.wav (espeak-ng, 44.1 kHz)', file: fx.wav },
    { name: 'long.wav (40 s)', file: fx.longWav },
    { name: 'speech.mp3 (96 kbit/s)', file: fx.mp3 },
    ...names.map((name) => ({ name, file: p(name) })),
  ];
}

async function legacyDecode(bytes: Uint8Array, kind: string | undefined): Promise<PcmAudio> {
  return kind === 'mp3' ? legacyDecodeMp3(bytes) : legacyDecodeWavMono(bytes);
}

/** The peak envelope by the streamed definition (slice edges rounded out to whole runs of `step`), from the old mix. */
function runEnvelope(mono: Float32Array, step: number, buckets = 2000): number[] {
  const n = Math.min(buckets, mono.length);
  return Array.from({ length: n }, (_, b) => {
    const from = Math.floor((b * mono.length) / n);
    const to = Math.max(from + 1, Math.floor(((b + 1) * mono.length) / n));
    let peak = 0;
    for (
      let i = Math.floor(from / step) * step, end = Math.min(mono.length, Math.ceil(to / step) * step);
      i < end;
      i++
    ) {
      peak = Math.max(peak, Math.abs(mono[i]));
    }
    return Math.round(Math.min(1, peak) * 1000) / 1000;
  });
}

function windowsOf(durationSec: number, suggested: AudioWindow | undefined): AudioWindow[] {
  const out: AudioWindow[] = [
    { startSec: 0, endSec: Math.min(durationSec, 5.5) },
    { startSec: durationSec * 0.4 + 0.0123, endSec: durationSec * 0.4 + 7.7 },
    { startSec: Math.max(0, durationSec - 6.3), endSec: durationSec + 1 }, // past the end: clamped
  ];
  return suggested ? [suggested, ...out] : out;
}

describe('audio, before/after: the streamed pipeline gives the numbers and the WAV the whole mix gave', function () {
  this.timeout(240_000);
  let dir: string;
  let fixtures: Fixture[];
  before(async () => {
    await ensureAudioTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-streamed-'));
    fixtures = makeFixtures(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('probe, report, window, waveform and exports of every fixture, file read a piece at a time', async () => {
    let seeks = 0;
    let exports = 0;
    for (const fx of fixtures) {
      const bytes = fs.readFileSync(fx.file);
      const source = new FileSource(fx.file);
      try {
        const probed = await probeFile(fx.file, source, path.basename(fx.file));
        assert.deepStrictEqual(probed, await probe(bytes, path.basename(fx.file)), `${fx.name}: probe`);
        const decoded = (await analyzeSource(source, probed, { peaks: true })) as DecodedSource;
        assert.ok(decoded, `${fx.name}: decoded`);
        const old = await legacyDecode(bytes, probed.kind);
        const a = decoded.analysis;
        assert.strictEqual(a.length, old.channels[0].length, `${fx.name}: length`);

        const report = reportOf(a);
        const numbers = legacyAnalyze(old);
        for (const [key, value] of Object.entries(numbers)) {
          assert.strictEqual(report[key as keyof typeof numbers], value, `${fx.name}: ${key}`);
        }
        assert.deepStrictEqual(report.warnings, qualityWarnings({ ...numbers, warnings: [] }), `${fx.name}: warnings`);

        const suggested = suggestFrom(a);
        assert.deepStrictEqual(suggested, legacySuggestWindow(old), `${fx.name}: suggested window`);

        const envelope = envelopeOf(a);
        const before = legacyPeakEnvelope(old);
        const mono = legacyMixToMono(old);
        assert.deepStrictEqual(envelope, runEnvelope(mono, a.peakStep), `${fx.name}: envelope by its definition`);
        assert.ok(
          envelope.every((v, i) => v >= before[i]),
          `${fx.name}: no peak lower than before`,
        );
        const equal = envelope.filter((v, i) => v === before[i]).length;
        assert.ok(equal >= 0.9 * before.length, `${fx.name}: ${equal}/${before.length} envelope values as before`);

        for (const w of windowsOf(a.length / a.sampleRate, suggested)) {
          for (const normalize of [undefined, -1]) {
            const { from, to } = windowRange(a.length, a.sampleRate, w);
            const samples = await readRange(source, decoded, from, to);
            const wav = encodeWindow(samples, a.sampleRate, { normalizePeakDbfs: normalize });
            const expected = legacyExportWindowWav(old, w, normalize);
            assert.ok(Buffer.from(wav).equals(Buffer.from(expected)), `${fx.name}: export ${JSON.stringify(w)}`);
            exports++;
          }
          if (decoded.kind === 'mp3') {
            const { from, to } = windowRange(a.length, a.sampleRate, w);
            const seeked = (await readMp3Range(source, decoded.index, from, to)).seeked;
            // Near the start a window is decoded from the start (the pre-roll would reach the first frames).
            assert.ok(seeked || w.startSec < 5, `${fx.name}: ${JSON.stringify(w)} decoded from a seek`);
            seeks += seeked ? 1 : 0;
          }
        }
      } finally {
        source.close();
      }
    }
    console.log(
      `      ${fixtures.length} files, ${exports} exports identical; ${seeks} MP3 windows decoded from a seek`,
    );
    assert.ok(seeks >= 12, `most MP3 windows past the first seconds are decoded from a seek (${seeks})`);
  });
});

describe('audio: the streamed pieces', function () {
  this.timeout(60_000);

  it("reads mpg123's output where the decoder wrote it (mpg123-decoder 1.0.x), not through decode()'s copies", async () => {
    const stream = await MpegStream.open();
    stream.free();
    assert.strictEqual(stream.inPlace, true, 'an update of mpg123-decoder changed the fields the in-place read uses');
  });

  it('marks the 50 ms blocks that hold clipping as the whole-mix mask did, however the samples are split', () => {
    const rand = (seed: number) => () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const sampleRate of [20, 40, 60, 100, 16000]) {
      const next = rand(sampleRate);
      // Runs of full-scale samples in every other half second, quiet in between.
      const mono = Float32Array.from({ length: sampleRate * 30 }, (_, i) =>
        Math.floor((2 * i) / sampleRate) % 2 === 0 && next() < 0.3 ? Math.sign(next() - 0.5) : 0.1,
      );
      const expected = legacyBlockClipped(mono, sampleRate);
      assert.ok(expected.includes(1) && expected.includes(0), 'some blocks clip, some do not');
      for (const split of [1, 2, 3, 7, 1000]) {
        const analyzer = new MonoAnalyzer(sampleRate);
        for (let at = 0; at < mono.length; at += split) {
          analyzer.add(mono.subarray(at, at + split));
        }
        const a = analyzer.finish({ channels: 1, peak: 1, sumSq: 0, clipped: 0 });
        assert.deepStrictEqual(
          Array.from(a.blockClipped),
          Array.from(expected),
          `${sampleRate} Hz, blocks of ${split}`,
        );
        assert.deepStrictEqual(a.frameSums, analyzePcm({ sampleRate, channels: [mono] }).frameSums);
      }
    }
  });

  it('holds no audio: 10 minutes leave under 1 MB of measurements, the waveform in runs of 128 samples', async () => {
    const minutes = 10;
    const sampleRate = 16000;
    const bytes = wavBytes([noise(minutes * 60, sampleRate, 0.1)], { sampleRate });
    const decoded = await analyzeSource(
      bytesSource(bytes),
      { kind: 'wav', durationSec: minutes * 60 },
      { peaks: true },
    );
    assert.ok(decoded);
    const a = decoded.analysis;
    const kept = [a.frameSums, a.blockSums, a.blockClipped, a.peaks].reduce((n, x) => n + x.byteLength, 0);
    assert.strictEqual(a.length, minutes * 60 * sampleRate);
    assert.ok(kept < 1024 * 1024, `${kept} bytes for ${bytes.length} bytes of WAV`);
    assert.strictEqual(a.peakStep, 128);
    assert.strictEqual(envelopeOf(a).length, 2000);
  });
});

describe('audio: a window of an MP3 decoded again from a few frames before it', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    await ensureAudioTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-seek-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is checked frame by frame against the first pass: a frame that differs sends it back to the start', async () => {
    const file = path.join(dir, 'tone.mp3');
    ffmpeg(
      ...['-f', 'lavfi', '-i', 'sine=frequency=330:duration=40', '-f', 'lavfi', '-i', 'anoisesrc=d=40:a=0.05'],
      ...['-filter_complex', 'amix=2', '-b:a', '64k', file],
    );
    const source = new FileSource(file);
    try {
      const decoded = await analyzeSource(source, { kind: 'mp3', durationSec: 40 });
      assert.ok(decoded?.index);
      const old = await legacyDecodeMp3(fs.readFileSync(file));
      const { from, to } = windowRange(decoded.analysis.length, decoded.analysis.sampleRate, {
        startSec: 21,
        endSec: 33,
      });
      const expected = old.channels[0].slice(from, to);
      const seek = await readMp3Range(source, decoded.index, from, to);
      assert.strictEqual(seek.seeked, true);
      assert.deepStrictEqual(seek.mono, expected);
      // A first pass that hashed other samples for the window's frames: the seek is not trusted.
      const wrong = { ...decoded.index, hash: decoded.index.hash.map((h) => h ^ 1) };
      const start = await readMp3Range(source, wrong, from, to);
      assert.strictEqual(start.seeked, false);
      assert.deepStrictEqual(start.mono, expected);
      // No index (a stream past the index's size): from the start too.
      assert.deepStrictEqual((await readMp3Range(source, undefined, from, to)).mono, expected);
    } finally {
      source.close();
    }
  });
});
