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

/** The public API of mpg123-decoder 1.0, and the fields of its MPEGDecoder that decode() itself uses. */
interface MpegDecoder {
  ready: Promise<void>;
  decode(data: Uint8Array): { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number };
  free(): void;
  _common?: {
    wasm?: {
      mpeg_decoder_feed?(decoder: number, input: number, length: number): number;
      mpeg_decoder_read?(
        decoder: number,
        output: number,
        outputLength: number,
        samplesDecoded: number,
        sampleRate: number,
        errorString: number,
      ): number;
    };
  };
  _decoder?: number;
  _input?: Pointer<Uint8Array>;
  _output?: Pointer<Float32Array>;
  _samplesDecodedPtr?: Pointer<Uint32Array>;
  _sampleRatePtr?: Pointer<Uint32Array>;
  _errorStringPtr?: Pointer<Uint32Array>;
}

interface MpegDecoderModule {
  MPEGDecoder: new () => MpegDecoder;
}

let mpg123: Promise<MpegDecoderModule> | undefined;

/** Receives each decoded block: both channels (views, valid during the call), `n` samples each. */
export type MpegSink = (left: Float32Array, right: Float32Array, n: number, sampleRate: number) => void;

const NEED_MORE = -10;
const NEW_FORMAT = -11;
/** Reads that fail in a row before the rest of a piece is given up (the library itself would loop on). */
const MAX_READ_ERRORS = 64;

/** One mpg123 decoder: feed it bytes, get the samples of every frame they complete. */
export class MpegStream {
  private constructor(
    private readonly _d: MpegDecoder,
    /** True when the output is read in place (mpg123-decoder 1.0.x); false: through decode(), with its copies. */
    readonly inPlace: boolean,
  ) {}

  static async open(): Promise<MpegStream> {
    mpg123 ??= import('mpg123-decoder') as Promise<MpegDecoderModule>;
    const { MPEGDecoder } = await mpg123;
    const d = new MPEGDecoder();
    await d.ready;
    const w = d._common?.wasm;
    const inPlace =
      typeof w?.mpeg_decoder_feed === 'function' &&
      typeof w.mpeg_decoder_read === 'function' &&
      typeof d._decoder === 'number' &&
      d._input?.buf instanceof Uint8Array &&
      d._output?.buf instanceof Float32Array &&
      d._samplesDecodedPtr?.buf instanceof Uint32Array &&
      d._sampleRatePtr?.buf instanceof Uint32Array &&
      d._errorStringPtr !== undefined;
    return new MpegStream(d, inPlace);
  }

  /** Feeds bytes (any split of the stream decodes to the same samples); returns how many samples came out. */
  feed(bytes: Uint8Array, sink: MpegSink): number {
    if (!this.inPlace) {
      const out = this._d.decode(bytes);
      const n = out.samplesDecoded;
      if (n > 0 && out.channelData.length > 0) {
        sink(out.channelData[0], out.channelData[1] ?? out.channelData[0], n, out.sampleRate);
      }
      return n;
    }
    return this._feedInPlace(bytes, sink);
  }

  private _feedInPlace(bytes: Uint8Array, sink: MpegSink): number {
    const d = this._d as Required<MpegDecoder>;
    const wasm = d._common.wasm as Required<NonNullable<MpegDecoder['_common']>>['wasm'] & {
      mpeg_decoder_feed(decoder: number, input: number, length: number): number;
      mpeg_decoder_read(a: number, b: number, c: number, e: number, f: number, g: number): number;
    };
    let total = 0;
    for (let at = 0; at < bytes.length; at += d._input.len) {
      const piece = bytes.subarray(at, at + d._input.len);
      d._input.buf.set(piece);
      if (wasm.mpeg_decoder_feed(d._decoder, d._input.ptr, piece.length) === NEED_MORE) {
        continue;
      }
      for (let errors = 0; errors < MAX_READ_ERRORS;) {
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
        if (code !== 0 && code !== NEW_FORMAT && n === 0) {
          errors++; // a damaged frame: mpg123 skips it and reads on
        }
      }
    }
    return total;
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
