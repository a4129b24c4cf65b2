import { type AudioAnalysis, MonoAnalyzer } from './analysis';
import { type Mp3Index, readMp3Range, streamMp3 } from './mp3';
import { MAX_DECODE_SEC } from './rules';
import { type ByteSource, bytesSource } from './source';
import type { PcmAudio, ProbeResult } from './types';
import { type StreamedFacts, readWavRange, streamWav } from './wav';

export interface DecodeOptions {
  /**
   * Stop with a DecodeLimitError once more than this many seconds are decoded (a guard: callers check the
   * probed duration against MAX_DECODE_SEC first). Default: MAX_DECODE_SEC plus 10 %, for a probe that read
   * the duration a little short (a VBR MP3 without a header).
   */
  maxSec?: number;
  /** The probed duration, to size the arrays once instead of growing them. */
  expectedSec?: number;
}

function defaultMaxSec(options: DecodeOptions): number {
  return options.maxSec ?? MAX_DECODE_SEC * 1.1;
}

/** Receives the mono mix a block at a time: a view, valid during the call. */
export type MonoSink = (mono: Float32Array, count: number, sampleRate: number) => void;

type Decodable = Pick<ProbeResult, 'kind'> & Partial<Pick<ProbeResult, 'durationSec'>>;

/**
 * Decodes WAV (by hand) and MP3 (WebAssembly) to their mono mix a block at a time, reading the source a piece at a
 * time, and measures the levels of the file's own channels on the way: only a block is ever held. MP4/MOV (usually
 * AAC) are not decoded: the only pure-JS AAC decoders are GPL (FAAD2), so those files are checked by their headers
 * and uploaded as they are. Returns undefined for kinds that cannot be decoded; throws a DecodeLimitError for audio
 * longer than `options.maxSec`.
 */
export async function streamDecode(
  source: ByteSource,
  probed: Decodable,
  sink: MonoSink,
  options: DecodeOptions = {},
): Promise<(StreamedFacts & { index?: Mp3Index }) | undefined> {
  if (probed.kind === 'wav') {
    return streamWav(source, sink, defaultMaxSec(options));
  }
  if (probed.kind === 'mp3') {
    return streamMp3(source, sink, defaultMaxSec(options));
  }
  return undefined;
}

/** A decoded file's analysis, and what it takes to decode a window of it again (see readRange). */
export interface DecodedSource {
  kind: 'wav' | 'mp3';
  analysis: AudioAnalysis;
  /** MP3: where each frame starts and what it decoded to. */
  index?: Mp3Index;
}

/**
 * Decodes a file as it streams by into its analysis (the numbers of the report, the window search and, with
 * `peaks`, the waveform): no sample is kept, so memory does not grow with the length.
 */
export async function analyzeSource(
  source: ByteSource,
  probed: Decodable,
  options: DecodeOptions & { peaks?: boolean } = {},
): Promise<DecodedSource | undefined> {
  if (probed.kind !== 'wav' && probed.kind !== 'mp3') {
    return undefined;
  }
  const expectedSec = Math.min(defaultMaxSec(options), options.expectedSec ?? probed.durationSec ?? 0);
  let analyzer: MonoAnalyzer | undefined;
  const facts = await streamDecode(
    source,
    probed,
    (mono, count, sampleRate) => {
      analyzer ??= new MonoAnalyzer(sampleRate, options.peaks, Math.ceil(expectedSec * sampleRate));
      analyzer.add(mono, count);
    },
    options,
  );
  if (!facts) {
    return undefined;
  }
  analyzer ??= new MonoAnalyzer(facts.sampleRate, options.peaks); // no samples at all (a WAV without frames)
  return { kind: probed.kind, analysis: analyzer.finish(facts.source), index: facts.index };
}

/**
 * The mono mix of the samples [from, to) of a file analysed by analyzeSource, decoded again from the file at its own
 * rate: the values the first pass measured, sample for sample. A WAV's frames are read where they are; an MP3 is
 * decoded from a few frames before the window (or from the start, when that does not give the same samples).
 */
export async function readRange(
  source: ByteSource,
  decoded: Pick<DecodedSource, 'kind' | 'index'>,
  from: number,
  to: number,
): Promise<Float32Array> {
  if (decoded.kind === 'wav') {
    return readWavRange(source, from, to);
  }
  return (await readMp3Range(source, decoded.index, from, to)).mono;
}

/** Collects a streamed decode into one mono array (tests, the exported window's own check: short audio). */
async function collect(source: ByteSource, probed: Decodable, options: DecodeOptions): Promise<PcmAudio | undefined> {
  let mono = new Float32Array(0);
  let length = 0;
  const facts = await streamDecode(
    source,
    probed,
    (block, count, sampleRate) => {
      if (length + count > mono.length) {
        const expected = Math.ceil((options.expectedSec ?? probed.durationSec ?? 0) * sampleRate * 1.01) + 4608;
        const grown = new Float32Array(Math.max(length + count, expected, Math.ceil(mono.length * 1.5)));
        grown.set(mono.subarray(0, length));
        mono = grown;
      }
      mono.set(block.subarray(0, count), length);
      length += count;
    },
    options,
  );
  return facts && { sampleRate: facts.sampleRate, channels: [mono.subarray(0, length)], source: facts.source };
}

/** Decodes an MP3 held in memory to its mono mix (see streamMp3). */
export async function decodeMp3(bytes: Uint8Array, options: DecodeOptions = {}): Promise<PcmAudio> {
  return (await collect(bytesSource(bytes), { kind: 'mp3' }, options)) as PcmAudio;
}

/**
 * Decodes WAV and MP3 bytes held in memory to their mono mix, with the levels of the file's own channels in
 * `source` (see streamDecode). Returns undefined for kinds that cannot be decoded.
 */
export async function decodeAudio(
  bytes: Uint8Array,
  probed: Decodable,
  options: DecodeOptions = {},
): Promise<PcmAudio | undefined> {
  return collect(bytesSource(bytes), probed, options);
}
