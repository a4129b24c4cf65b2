// mpg123-decoder (libmpg123 in WebAssembly) driven a piece at a time, with the decoded samples read where the
// decoder wrote them. The library's own decode() copies every output block twice (a slice per read, then one array
// per call), which left tens of MB of garbage behind a 9-minute file before the collector caught up.
import { mpegFrameLength } from './sniff';
import type { ByteSource } from './source';

interface Pointer<T> {
  ptr: number;
  len: number;
  buf: T;
}

interface Wasm {
  mpeg_decoder_feed(decoder: number, input: number, length: number): number;
  mpeg_decoder_read(
    decoder: number,
    output: number,
    outputLength: number,
    samplesDecoded: number,
    sampleRate: number,
    errorString: number,
  ): number;
}

/** The fields of mpg123-decoder 1.0's MPEGDecoder that its own decode() uses. */
interface Internals {
  _common: { wasm: Wasm };
  _decoder: number;
  _input: Pointer<Uint8Array>;
  _output: Pointer<Float32Array>;
  _samplesDecodedPtr: Pointer<Uint32Array>;
  _sampleRatePtr: Pointer<Uint32Array>;
  _errorStringPtr: Pointer<Uint32Array>;
}

/** The public API of mpg123-decoder 1.0, and perhaps its internals. */
interface MpegDecoder extends Partial<Internals> {
  ready: Promise<void>;
  decode(data: Uint8Array): { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number };
  free(): void;
}

interface MpegDecoderModule {
  MPEGDecoder: new () => MpegDecoder;
}

let mpg123: Promise<MpegDecoderModule> | undefined;

/** Receives each decoded block: both channels (views, valid during the call), `n` samples each. */
export type MpegSink = (left: Float32Array, right: Float32Array, n: number, sampleRate: number) => void;

const NEED_MORE = -10;
/** Reads in a row that give no samples (errors: damaged frames) before the rest of a piece is given up. */
const MAX_EMPTY_READS = 64;

/** The decoder's internals, when they are what its decode() uses in version 1.0.x. */
function internalsOf(d: MpegDecoder): Internals | undefined {
  const wasm = d._common?.wasm as Partial<Wasm> | undefined;
  const ok =
    typeof wasm?.mpeg_decoder_feed === 'function' &&
    typeof wasm.mpeg_decoder_read === 'function' &&
    typeof d._decoder === 'number' &&
    d._input?.buf instanceof Uint8Array &&
    d._output?.buf instanceof Float32Array &&
    d._samplesDecodedPtr?.buf instanceof Uint32Array &&
    d._sampleRatePtr?.buf instanceof Uint32Array &&
    d._errorStringPtr !== undefined;
  return ok ? (d as Internals) : undefined;
}

/** What decode() does, with the samples handed on where the decoder wrote them instead of copied twice. */
function feedInPlace(d: Internals, bytes: Uint8Array, sink: MpegSink): number {
  const wasm = d._common.wasm;
  let total = 0;
  for (let at = 0; at < bytes.length; at += d._input.len) {
    const piece = bytes.subarray(at, at + d._input.len);
    d._input.buf.set(piece);
    if (wasm.mpeg_decoder_feed(d._decoder, d._input.ptr, piece.length) === NEED_MORE) {
      continue;
    }
    for (let empty = 0; empty < MAX_EMPTY_READS;) {
      d._samplesDecodedPtr.buf[0] = 0;
      const code = wasm.mpeg_decoder_read(
        d._decoder,
        d._output.ptr,
        d._output.len,
        d._samplesDecodedPtr.ptr,
        d._sampleRatePtr.ptr,
        d._errorStringPtr.ptr,
      );
      const n = d._samplesDecodedPtr.buf[0];
      if (n > 0) {
        const out = d._output.buf;
        sink(out.subarray(0, n), out.subarray(n, 2 * n), n, d._sampleRatePtr.buf[0]);
        total += n;
      }
      if (code === NEED_MORE) {
        break;
      }
      // After a damaged frame (an error) or a new format mpg123 reads on, as the library's decode() does; a decoder
      // that gets nowhere is left for the next piece instead of being asked forever.
      empty = n > 0 ? 0 : empty + 1;
    }
  }
  return total;
}

/** One mpg123 decoder: feed it bytes, get the samples of every frame they complete. */
export class MpegStream {
  private constructor(
    private readonly _d: MpegDecoder,
    /** Set when the output is read in place (mpg123-decoder 1.0.x); else through decode(), with its copies. */
    private readonly _in: Internals | undefined,
  ) {}

  static async open(): Promise<MpegStream> {
    mpg123 ??= import('mpg123-decoder') as Promise<MpegDecoderModule>;
    const { MPEGDecoder } = await mpg123;
    const d = new MPEGDecoder();
    await d.ready;
    return new MpegStream(d, internalsOf(d));
  }

  /** True when the decoded samples are read where the decoder wrote them. */
  get inPlace(): boolean {
    return this._in !== undefined;
  }

  /** Feeds bytes (any split of the stream decodes to the same samples); returns how many samples came out. */
  feed(bytes: Uint8Array, sink: MpegSink): number {
    if (this._in) {
      return feedInPlace(this._in, bytes, sink);
    }
    const out = this._d.decode(bytes);
    const n = out.samplesDecoded;
    if (n > 0 && out.channelData.length > 0) {
      sink(out.channelData[0], out.channelData[1] ?? out.channelData[0], n, out.sampleRate);
    }
    return n;
  }

  free(): void {
    this._d.free();
  }
}

/** A piece of an MPEG stream: one whole frame, or the bytes between frames (tags, junk). */
export interface MpegPiece {
  at: number;
  bytes: Uint8Array;
  frame: boolean;
}

const WINDOW = 64 * 1024;
/** The longest MPEG audio frame mpegFrameLength() accepts (layer II, MPEG-2.5, 160 kbit/s at 8 kHz) and a header. */
const FRAME_AND_HEADER = 2881 + 4;

/** A valid frame header at `at` whose frame ends the file or is followed by another valid header. */
function frameAt(bytes: Uint8Array, at: number, end: number): number {
  const length = mpegFrameLength(bytes, at);
  if (length === 0 || at + length > bytes.length) {
    return 0;
  }
  return at + length === end || mpegFrameLength(bytes, at + length) > 0 ? length : 0;
}

/**
 * Splits an MPEG stream, read a window at a time, into frames and the bytes between them (tags, junk, a damaged
 * frame), starting at byte `from`. Feeding the pieces in order feeds the whole stream. The views are valid until the
 * next piece is asked for.
 */
export function* mpegPieces(source: ByteSource, from = 0): Generator<MpegPiece> {
  let pos = from;
  while (pos < source.size) {
    const bytes = source.read(pos, WINDOW);
    const end = source.size - pos; // the file's end, relative to the window
    // Up to `limit` a frame and the header after it are inside the window; past it, read the next window.
    const limit = bytes.length === end ? bytes.length : bytes.length - FRAME_AND_HEADER;
    let off = 0;
    while (off < bytes.length && (off < limit || off === 0)) {
      const length = frameAt(bytes, off, end);
      if (length > 0) {
        yield { at: pos + off, bytes: bytes.subarray(off, off + length), frame: true };
        off += length;
        continue;
      }
      let next = off + 1;
      while (next < Math.max(limit, off + 1) && !(bytes[next] === 0xff && frameAt(bytes, next, end) > 0)) {
        next++;
      }
      yield { at: pos + off, bytes: bytes.subarray(off, next), frame: false };
      off = next;
    }
    pos += off;
  }
}
