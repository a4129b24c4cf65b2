// A deterministic, seeded fuzz run over the whole local-file pipeline, as the audio worker drives it for inspectFile
// and the trimmer: probe → rules → decode → analysis → best window → WAV export → envelope, on the file as the worker
// reads it (a piece at a time from disk, decoded as it streams by, windows decoded again), and on the same bytes in
// memory through the whole-mix functions: both must agree. Every case must end in a refusal or a result within a
// time limit, never in an uncaught error. KLING_FUZZ_CASES raises the number of random cases (the bench runs a longer
// mode); the default run stays well under the unit suite's budget.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FileSource,
  analyze,
  analyzeSource,
  checkRules,
  decodeAudio,
  encodeWindow,
  envelopeOf,
  exportWindowWav,
  peakEnvelope,
  probe,
  probeFile,
  readRange,
  reportOf,
  suggestFrom,
  suggestWindow,
  tooLongToDecode,
  windowRange,
  type ProbeResult,
} from '../../../src/audio';
import { ensureAudioTools, makeToolFixtures, prng, speechLike, wavBytes } from '../../../tools/fixtures/audio';
import { box, nestedMp4 } from './hostile';

const EXTENSIONS = ['.wav', '.mp3', '.mp4', '.mov'];
/** Per case: generous for a 2-core CI machine; a hang or a byte-by-byte scan of a large file blows through it. */
const CASE_LIMIT_MS = 3000;

interface Case {
  name: string;
  bytes: Uint8Array;
}

type Outcome = 'refused' | 'probed' | 'decodeRefused' | 'analysed';

/** What inspectFile and the trimmer do with a file, with the same error handling. */
async function pipeline(c: Case, file: string): Promise<Outcome> {
  const p = await probe(c.bytes, c.name); // never throws
  const source = new FileSource(file);
  try {
    assert.deepStrictEqual(await probeFile(file, source, c.name), p, `${c.name}: the file probes as its bytes do`);
    await streamed(source, p, c);
  } finally {
    source.close();
  }
  const rules = checkRules(p);
  assert.ok(Array.isArray(rules.errors) && Array.isArray(rules.warnings));
  if (!p.isAudio) {
    assert.ok(p.problem, `${c.name}: a file that is not audio says why`);
    assert.ok(rules.errors.length > 0, `${c.name}: the rules refuse it`);
    return 'refused';
  }
  if (!p.decodable || tooLongToDecode(p)) {
    return 'probed';
  }
  let audio;
  try {
    audio = await decodeAudio(c.bytes, p);
  } catch (e) {
    // inspectFile reports this as "not decoded"; it must be an Error with a message, not a crash.
    assert.ok(e instanceof Error && e.message.length > 0, `${c.name}: decode failed with ${String(e)}`);
    return 'decodeRefused';
  }
  if (!audio) {
    return 'probed';
  }
  const report = analyze(audio);
  assert.ok(Number.isFinite(report.peakDbfs) || report.peakDbfs === -Infinity, `${c.name}: peak ${report.peakDbfs}`);
  const window = suggestWindow(audio);
  if (window) {
    const wav = exportWindowWav(audio, window);
    assert.ok(wav.length > 44, `${c.name}: exported window`);
  }
  assert.ok(peakEnvelope(audio).every((v) => v >= 0 && v <= 1));
  return 'analysed';
}

/** The worker's way: decoded from the file as it streams by; the numbers must be those of the whole mix in memory. */
async function streamed(source: FileSource, p: ProbeResult, c: Case): Promise<void> {
  if (!p.isAudio || !p.decodable || tooLongToDecode(p)) {
    return;
  }
  let decoded;
  try {
    decoded = await analyzeSource(source, p, { peaks: true });
  } catch (e) {
    assert.ok(e instanceof Error && e.message.length > 0, `${c.name}: streamed decode failed with ${String(e)}`);
    await assert.rejects(decodeAudio(c.bytes, p), `${c.name}: the bytes in memory fail to decode too`);
    return;
  }
  const audio = await decodeAudio(c.bytes, p);
  assert.ok(decoded && audio, `${c.name}: decoded both ways`);
  const a = decoded.analysis;
  assert.deepStrictEqual(reportOf(a), analyze(audio), `${c.name}: the streamed report is the whole mix's`);
  const window = suggestFrom(a);
  assert.deepStrictEqual(window, suggestWindow(audio), `${c.name}: the streamed window is the whole mix's`);
  assert.ok(envelopeOf(a).every((v) => v >= 0 && v <= 1));
  if (window) {
    const { from, to } = windowRange(a.length, a.sampleRate, window);
    const wav = encodeWindow(await readRange(source, decoded, from, to), a.sampleRate);
    assert.ok(Buffer.from(wav).equals(Buffer.from(exportWindowWav(audio, window))), `${c.name}: the same export`);
  }
}

function mutate(bytes: Uint8Array, rand: () => number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const flips = 1 + Math.floor(rand() * 16);
  for (let i = 0; i < flips; i++) {
    // Half of the mutations hit the first 256 bytes, where the headers are.
    const at = rand() < 0.5 ? Math.floor(rand() * Math.min(256, out.length)) : Math.floor(rand() * out.length);
    out[at] = Math.floor(rand() * 256);
  }
  return out;
}

function randomBytes(length: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Math.floor(rand() * 256);
  }
  return out;
}

/** A WAV header with the given fields, then `dataBytes` of noise (the header may claim far more). */
function wavHeader(
  fields: { channels: number; rate: number; bits: number; format?: number; dataSize?: number; fmtSize?: number },
  dataBytes = 4000,
): Uint8Array {
  const fmtSize = fields.fmtSize ?? 16;
  const out = Buffer.alloc(20 + 16 + 8 + dataBytes);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(out.length - 8, 4);
  out.write('WAVE', 8, 'latin1');
  out.write('fmt ', 12, 'latin1');
  out.writeUInt32LE(fmtSize, 16);
  out.writeUInt16LE(fields.format ?? 1, 20);
  out.writeUInt16LE(fields.channels, 22);
  out.writeUInt32LE(fields.rate, 24);
  out.writeUInt32LE(((fields.rate * fields.channels * fields.bits) / 8) >>> 0, 28);
  out.writeUInt16LE(((fields.channels * fields.bits) / 8) & 0xffff, 32);
  out.writeUInt16LE(fields.bits, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(fields.dataSize ?? dataBytes, 40);
  for (let i = 44; i < out.length; i++) {
    out[i] = (i * 37) & 0xff;
  }
  return out;
}

const ABSURD_WAVS: [string, Parameters<typeof wavHeader>[0]][] = [
  ['0 channels', { channels: 0, rate: 16000, bits: 16 }],
  ['65,535 channels', { channels: 65535, rate: 16000, bits: 16 }],
  ['rate 0', { channels: 1, rate: 0, bits: 16 }],
  ['rate 4 GHz', { channels: 1, rate: 0xffffffff, bits: 16 }],
  ['4 GB of data claimed', { channels: 1, rate: 16000, bits: 16, dataSize: 0xffffffff }],
  ['0 bits', { channels: 1, rate: 16000, bits: 0 }],
  ['7 bits', { channels: 1, rate: 16000, bits: 7 }],
  ['64-bit integer', { channels: 2, rate: 16000, bits: 64 }],
  ['float 16-bit', { channels: 1, rate: 16000, bits: 16, format: 3 }],
  ['format 0x55 (mp3 in wav)', { channels: 1, rate: 16000, bits: 16, format: 0x55 }],
  ['extensible with a short fmt', { channels: 1, rate: 16000, bits: 16, format: 0xfffe }],
  ['fmt chunk of 4 GB', { channels: 1, rate: 16000, bits: 16, fmtSize: 0xfffffff0 }],
  ['fmt chunk of 2 bytes', { channels: 1, rate: 16000, bits: 16, fmtSize: 2 }],
  ['odd block align', { channels: 3, rate: 22050, bits: 24 }],
];

/** MPEG-1 layer III, 128 kbit/s, 44.1 kHz frames (417 bytes) with random payloads. */
function mp3GarbageFrames(frames: number, rand: () => number): Uint8Array {
  const out = new Uint8Array(frames * 417);
  for (let f = 0; f < frames; f++) {
    const at = f * 417;
    out.set([0xff, 0xfb, 0x90, 0x64], at);
    for (let i = 4; i < 417; i++) {
      out[at + i] = Math.floor(rand() * 256);
    }
  }
  return out;
}

function buildCases(real: Case[], randomCount: number): Case[] {
  const rand = prng(20261203);
  const cases: Case[] = [];
  // Random bytes under every accepted extension, from empty to 8 KB.
  for (let i = 0; i < randomCount; i++) {
    cases.push({ name: `random-${i}${EXTENSIONS[i % 4]}`, bytes: randomBytes(Math.floor(rand() * 8192), rand) });
  }
  // A container's magic number, then garbage.
  const magics = [
    'RIFF\x40\0\0\0WAVEfmt ',
    'RIFF\0\0\0\0WAVEdata',
    'ID3\x03\0\0\0\0\x10\0',
    '\xff\xfb\x90\x64',
    '\0\0\0\x18ftypisom',
    '\0\0\0\x08moov',
    'fLaC',
    'OggS',
  ];
  for (const magic of magics) {
    for (let i = 0; i < 40; i++) {
      const tail = randomBytes(Math.floor(rand() * 4096), rand);
      cases.push({
        name: `magic-${i}${EXTENSIONS[i % 4]}`,
        bytes: Buffer.concat([Buffer.from(magic, 'latin1'), tail]),
      });
    }
  }
  // Real files: byte mutations and truncations.
  for (const r of real) {
    for (let i = 0; i < 60; i++) {
      cases.push({ name: `mutated-${i}-${r.name}`, bytes: mutate(r.bytes, rand) });
    }
    for (let i = 0; i < 25; i++) {
      cases.push({ name: `truncated-${i}-${r.name}`, bytes: r.bytes.subarray(0, Math.floor(rand() * r.bytes.length)) });
    }
  }
  for (const [label, fields] of ABSURD_WAVS) {
    cases.push({ name: `absurd (${label}).wav`, bytes: wavHeader(fields) });
  }
  for (let i = 0; i < 30; i++) {
    cases.push({ name: `garbage-frames-${i}.mp3`, bytes: mp3GarbageFrames(1 + Math.floor(rand() * 40), rand) });
  }
  // A file of 0xFF bytes: a lenient MP3 parser sees a sync word at every byte (seconds per megabyte).
  cases.push({ name: 'ff-1MB.mp3', bytes: new Uint8Array(1024 * 1024).fill(0xff) });
  cases.push({ name: 'nested-20000.mp4', bytes: nestedMp4(20000) });
  cases.push({ name: 'nested-20000.mov', bytes: nestedMp4(20000) });
  cases.push({
    name: 'many-tiny-boxes.mp4',
    bytes: Buffer.concat([
      box('ftyp', Buffer.from('isom', 'latin1')),
      box('moov', Buffer.concat(Array.from({ length: 50000 }, () => box('free', new Uint8Array(0))))),
    ]),
  });
  return cases;
}

describe('audio: seeded fuzz over probe → rules → decode → analysis → window → export', function () {
  this.timeout(240_000);
  let dir: string;
  const real: Case[] = [];

  before(async () => {
    await ensureAudioTools();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-fuzz-'));
    const fx = makeToolFixtures(dir);
    for (const file of [fx.mp3, fx.mp4, fx.mov]) {
      real.push({ name: path.basename(file), bytes: fs.readFileSync(file) });
    }
    real.push({ name: 'synth.wav', bytes: wavBytes([speechLike(6, 8000)], { sampleRate: 8000 }) });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('every case ends in a refusal or a result, within its time limit', async () => {
    const randomCount = Number(process.env.KLING_FUZZ_CASES) > 0 ? Number(process.env.KLING_FUZZ_CASES) : 300;
    const cases = buildCases(real, randomCount);
    assert.ok(cases.length >= 1000, `${cases.length} cases`);
    const counts: Record<Outcome, number> = { refused: 0, probed: 0, decodeRefused: 0, analysed: 0 };
    let slowest = { name: '', ms: 0 };
    const file = path.join(dir, 'case');
    for (const c of cases) {
      fs.writeFileSync(file, c.bytes);
      const started = performance.now();
      let outcome: Outcome;
      try {
        outcome = await pipeline(c, file);
      } catch (e) {
        throw new Error(
          `${c.name} (${c.bytes.length} bytes): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
      }
      const ms = performance.now() - started;
      assert.ok(ms < CASE_LIMIT_MS, `${c.name} took ${ms.toFixed(0)} ms`);
      if (ms > slowest.ms) {
        slowest = { name: c.name, ms };
      }
      counts[outcome]++;
    }
    console.log(
      `      fuzz: ${cases.length} cases: ${counts.refused} refused, ${counts.probed} probed only, ${counts.decodeRefused} not decodable, ${counts.analysed} analysed; slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms`,
    );
    assert.ok(counts.refused > 0 && counts.analysed > 0, 'the corpus reaches both ends of the pipeline');
  });
});
