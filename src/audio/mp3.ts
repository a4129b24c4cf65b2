// MP3 decoding, streamed: the file is read a window at a time and fed to the decoder a frame at a time; each frame's
// samples are mixed to mono, handed on and dropped. The pass records where each frame starts and which samples it
// decoded to (with a hash of them), so that a window can later be decoded again at the file's own rate from a few
// frames before it instead of from the start, and be checked sample for sample against the first pass.
import * as l10n from '@vscode/l10n';
import { LevelMeter } from './levels';
import { MpegStream, mpegPieces } from './mpegStream';
import { DecodeLimitError } from './rules';
import { type ByteSource, Peeker } from './source';
import type { StreamedFacts } from './wav';

/** Where each piece of the stream (a frame, or the bytes between frames) starts, and what it decoded to. */
export interface Mp3Index {
  /** Byte offset of each piece; one more entry: where the last one ends. */
  at: Float64Array;
  /** 1 for a frame, 0 for bytes between frames. */
  frame: Uint8Array;
  /** The first sample of the mono mix each piece decoded to, and how many. */
  outStart: Float64Array;
  count: Uint32Array;
  /** FNV-1a of the bits of those mono samples. */
  hash: Int32Array;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
/**
 * A window is decoded from at least this many frames, and this many bytes, before it: a frame's data may begin in the
 * 511 bytes before it (the bit reservoir), and its first granule overlaps the last one of the frame before.
 */
const PREROLL_FRAMES = 4;
const PREROLL_BYTES = 3000;
/**
 * mpg123's synthesis filter bank turns through 16 positions, 2 or 4 per decoded frame (MPEG-2 and 2.5, or MPEG-1):
 * decoding a frame at another position than in the first pass gives the same sound, but not the same bits. So the
 * frames decoded before the window must number the same as in the first pass, modulo 8.
 */
const PHASES = 8;
/** Pre-rolls tried before a window is decoded from the start (each costs a few frames). */
const SEEK_TRIES = 4;

/** More pieces than any 10-minute MP3 has (25,000 frames at most): past this the stream is not indexed. */
const MAX_INDEX_PIECES = 100_000;

class IndexBuilder {
  at: number[] = [];
  frame: number[] = [];
  outStart: number[] = [];
  count: number[] = [];
  hash: number[] = [];

  add(at: number, frame: boolean, outStart: number, count: number, hash: number): void {
    if (this.at.length <= MAX_INDEX_PIECES) {
      this.at.push(at);
      this.frame.push(frame ? 1 : 0);
      this.outStart.push(outStart);
      this.count.push(count);
      this.hash.push(hash);
    }
  }

  build(end: number): Mp3Index | undefined {
    if (this.at.length > MAX_INDEX_PIECES) {
      return undefined; // not a real MP3: a window is decoded from the start
    }
    return {
      at: Float64Array.from([...this.at, end]),
      frame: Uint8Array.from(this.frame),
      outStart: Float64Array.from(this.outStart),
      count: Uint32Array.from(this.count),
      hash: Int32Array.from(this.hash),
    };
  }
}

/** Mixes decoded blocks to mono into one reused buffer, hashing the samples of the current piece. */
class MonoMixer {
  mono = new Float32Array(4608);
  private _bits = new Int32Array(this.mono.buffer);
  hash = FNV_OFFSET;
  /** Samples of the current piece to hash (the rest of a piece is not compared). */
  hashLimit = Number.POSITIVE_INFINITY;
  hashed = 0;
  identical = true;

  mix(left: Float32Array, right: Float32Array, n: number): Float32Array {
    if (n > this.mono.length) {
      this.mono = new Float32Array(n);
      this._bits = new Int32Array(this.mono.buffer);
    }
    const { mono, _bits: bits } = this;
    let h = this.hash;
    const hashTo = Math.max(0, Math.min(n, this.hashLimit - this.hashed));
    for (let i = 0; i < n; i++) {
      const l = left[i];
      const r = right[i];
      if (l !== r) {
        this.identical = false;
      }
      mono[i] = (l + r) * 0.5;
      if (i < hashTo) {
        h = Math.imul(h ^ bits[i], FNV_PRIME);
      }
    }
    this.hash = h;
    this.hashed += n;
    return mono;
  }

  nextPiece(hashLimit = Number.POSITIVE_INFINITY): void {
    this.hash = FNV_OFFSET;
    this.hashed = 0;
    this.hashLimit = hashLimit;
  }
}

/**
 * Decodes an MP3 to its mono mix (the two channels' mean, as Float32), a frame at a time, handing each block to
 * `sink` (a view, valid during the call) and measuring the file's own channels on the way. A mono MP3 (two identical
 * channels) counts as one. Stops with a DecodeLimitError past `maxSec`.
 */
export async function streamMp3(
  source: ByteSource,
  sink: (mono: Float32Array, count: number, sampleRate: number) => void,
  maxSec = Number.POSITIVE_INFINITY,
): Promise<StreamedFacts & { index?: Mp3Index }> {
  const decoder = await MpegStream.open();
  const meter = new LevelMeter(2);
  const mixer = new MonoMixer();
  const index = new IndexBuilder();
  let length = 0;
  let sampleRate = 0;
  try {
    for (const piece of mpegPieces(source)) {
      const outStart = length;
      mixer.nextPiece();
      decoder.feed(piece.bytes, (left, right, n, rate) => {
        sampleRate ||= rate;
        if ((length + n) / sampleRate > maxSec) {
          throw new DecodeLimitError((length + n) / sampleRate, maxSec);
        }
        const mono = mixer.mix(left, right, n);
        meter.add([left, right], n);
        sink(mono, n, sampleRate);
        length += n;
      });
      index.add(piece.at, piece.frame, outStart, length - outStart, mixer.hash);
    }
  } finally {
    decoder.free();
  }
  if (length === 0) {
    throw new Error(l10n.t('no MPEG audio could be decoded'));
  }
  return { sampleRate, length, source: meter.levels(mixer.identical ? 1 : 2), index: index.build(source.size) };
}

/** The last piece whose samples start at or before `sample`. */
function pieceOf(index: Mp3Index, sample: number): number {
  let lo = 0;
  let hi = index.outStart.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.outStart[mid] <= sample) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

/** Where a seek to `sample` starts: the piece holding the sample, and the frames the first pass decoded before it. */
interface Seek {
  target: number;
  /** Pieces before `target` that went through the filter bank. */
  decoded: number;
}

const mod = (a: number, m: number) => ((a % m) + m) % m;

/**
 * The piece `frames` pieces before `target`, when all of them are frames and none is one of the stream's first two
 * (a Xing/Info frame, the decoder delay the first pass cut off); else 0 (decode from the start).
 */
function startBefore(index: Mp3Index, target: number, frames: number): number {
  const start = target - frames;
  if (start <= index.frame.indexOf(1) + 1) {
    return 0;
  }
  for (let k = start; k < target; k++) {
    if (!index.frame[k]) {
      return 0; // bytes that are not a frame (junk, a damaged frame): no seeking across them
    }
  }
  return start;
}

/** The fewest frames before `target` that hold PREROLL_FRAMES frames and PREROLL_BYTES bytes. */
function minimumPreroll(index: Mp3Index, target: number): number {
  let frames = 0;
  for (let bytes = 0; (frames < PREROLL_FRAMES || bytes < PREROLL_BYTES) && frames < target; frames++) {
    bytes += index.at[target - frames] - index.at[target - frames - 1];
  }
  return frames;
}

/**
 * The piece holding `sample`, and how many pieces before it went through the filter bank in the first pass: every
 * frame (also those whose samples the decoder delay cut off) but a first one that decoded to nothing (a Xing/Info
 * header), and bytes between frames that decoded to samples all the same.
 */
function seekOf(index: Mp3Index, sample: number): Seek {
  const target = pieceOf(index, sample);
  const first = index.frame.indexOf(1);
  let decoded = first >= 0 && first < target && index.count[first] === 0 ? -1 : 0;
  for (let k = 0; k < target; k++) {
    decoded += index.frame[k] || index.count[k] > 0 ? 1 : 0;
  }
  return { target, decoded };
}

/** Decodes the stream from its start and collects the mono samples [from, to): what the first pass gave. */
async function decodeFromStart(source: ByteSource, from: number, to: number): Promise<Float32Array> {
  const out = new Float32Array(to - from);
  const decoder = await MpegStream.open();
  const mixer = new MonoMixer();
  let position = 0;
  try {
    for (const piece of mpegPieces(source)) {
      if (position >= to) {
        break;
      }
      mixer.nextPiece(0);
      decoder.feed(piece.bytes, (left, right, count) => {
        const mono = mixer.mix(left, right, count);
        for (let i = Math.max(0, from - position), end = Math.min(count, to - position); i < end; i++) {
          out[position + i - from] = mono[i];
        }
        position += count;
      });
    }
  } finally {
    decoder.free();
  }
  return position >= to ? out : out.subarray(0, Math.max(0, position - from));
}

/**
 * Decodes the pieces from `first` on (a few frames before the window) and collects the mono samples [from, to),
 * where the first pass put them. Every piece that holds samples of the window must decode to the samples the first
 * pass hashed; at the first that does not, the decode stops and says how many pieces before the window decoded to
 * samples (for the next try's pre-roll).
 */
async function decodeRange(
  source: ByteSource,
  index: Mp3Index,
  first: number,
  from: number,
  to: number,
): Promise<{ mono: Float32Array } | { prerollDecoded: number }> {
  const out = new Float32Array(to - from);
  const decoder = await MpegStream.open();
  const mixer = new MonoMixer();
  const peek = new Peeker(source);
  const target = pieceOf(index, from);
  let prerollDecoded = 0;
  try {
    for (let k = first; k < index.count.length && index.outStart[k] < to; k++) {
      // The frames before the window only prime the decoder; the window's own are checked.
      const checked = k >= target;
      const limit = index.count[k];
      mixer.nextPiece(checked ? limit : 0);
      const base = index.outStart[k];
      let offset = 0;
      const n = decoder.feed(peek.bytes(index.at[k], index.at[k + 1] - index.at[k]), (left, right, count) => {
        const mono = mixer.mix(left, right, count);
        if (checked) {
          const hi = Math.min(count, limit - offset, to - base - offset);
          for (let i = Math.max(0, from - base - offset); i < hi; i++) {
            out[base + offset + i - from] = mono[i];
          }
        }
        offset += count;
      });
      if (!checked) {
        prerollDecoded += n > 0 ? 1 : 0;
      } else if (n < limit || mixer.hash !== index.hash[k]) {
        return { prerollDecoded }; // not the first pass's samples
      }
    }
  } finally {
    decoder.free();
  }
  return { mono: out };
}

/**
 * The mono mix of the samples [from, to) of an MP3 indexed by streamMp3, decoded again from the file: the same values
 * the first pass gave. `seeked` says whether it was decoded from a few frames before the window (checked against the
 * first pass's hashes) or, when that was not possible or did not match, from the start.
 */
export async function readMp3Range(
  source: ByteSource,
  index: Mp3Index | undefined,
  from: number,
  to: number,
): Promise<{ mono: Float32Array; seeked: boolean }> {
  const last = (index?.count.length ?? 0) - 1;
  const end = index && last >= 0 ? Math.min(to, index.outStart[last] + index.count[last]) : to;
  if (end <= from) {
    return { mono: new Float32Array(0), seeked: false };
  }
  if (index) {
    const { target, decoded } = seekOf(index, from);
    let frames = minimumPreroll(index, target);
    frames += mod(decoded - frames, PHASES);
    // A seek's first frame or two may decode to nothing (their data began in frames not fed): the filter bank's
    // position then lags, and the pre-roll is lengthened by as many frames. In phase yet not the same samples (MPEG-2
    // and 2.5 now and then need a longer pre-roll), it is lengthened by a turn of the filter bank.
    for (let tries = 0, start = startBefore(index, target, frames); start > 0 && tries < SEEK_TRIES; tries++) {
      const r = await decodeRange(source, index, start, from, end);
      if ('mono' in r) {
        return { mono: r.mono, seeked: true };
      }
      frames += mod(decoded - r.prerollDecoded, PHASES) || PHASES;
      start = startBefore(index, target, frames);
    }
  }
  return { mono: await decodeFromStart(source, from, end), seeked: false };
}
