// Where the audio code reads a file's bytes from: a file on disk, read a piece at a time at any offset, or bytes
// already in memory (a virtual workspace's file, an exported WAV, the tests). Reading a piece at a time is what keeps
// a 50 MB WAV from being in memory whole while it is checked.
import * as fs from 'fs';

export interface ByteSource {
  readonly size: number;
  /**
   * Up to `length` bytes from offset `at` (fewer at the end of the file). The view is only valid until the next
   * read: a file source reuses one buffer. Copy what must outlive it.
   */
  read(at: number, length: number): Uint8Array;
  /** Releases the file (a no-op for bytes). */
  close(): void;
}

/** Bytes in memory as a source: reads are views, never copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (at, length) => bytes.subarray(Math.max(0, at), Math.max(0, Math.min(bytes.length, at + length))),
    close: () => undefined,
  };
}

/** A file read with positional reads into one reused buffer (grown to the largest piece asked for). */
export class FileSource implements ByteSource {
  readonly size: number;
  readonly mtimeMs: number;
  private _fd: number | undefined;
  private _buffer = new Uint8Array(0);

  constructor(readonly path: string) {
    this._fd = fs.openSync(path, 'r');
    try {
      const stat = fs.fstatSync(this._fd);
      this.size = stat.size;
      this.mtimeMs = stat.mtimeMs;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  read(at: number, length: number): Uint8Array {
    if (this._fd === undefined) {
      throw new Error('the file is closed');
    }
    const want = Math.max(0, Math.min(length, this.size - at));
    if (this._buffer.length < want) {
      this._buffer = new Uint8Array(Math.max(want, 64 * 1024));
    }
    let got = 0;
    while (got < want) {
      const n = fs.readSync(this._fd, this._buffer, got, want - got, at + got);
      if (n === 0) {
        break; // the file was cut short while we read it
      }
      got += n;
    }
    return this._buffer.subarray(0, got);
  }

  close(): void {
    if (this._fd !== undefined) {
      const fd = this._fd;
      this._fd = undefined;
      fs.closeSync(fd);
    }
  }
}

/**
 * Small reads near each other (a chunk walk, box headers) through one cached window of a source, so a walk over
 * thousands of tiny chunks costs a few reads of the file, not one each. Views are valid until the next call.
 */
export class Peeker {
  private _at = 0;
  private _bytes = new Uint8Array(0);

  constructor(
    private readonly _source: ByteSource,
    private readonly _window = 64 * 1024,
  ) {}

  get size(): number {
    return this._source.size;
  }

  /** Up to `length` bytes at `at` (fewer at the end of the source). */
  bytes(at: number, length: number): Uint8Array {
    const end = Math.min(this._source.size, at + length);
    if (at < this._at || end > this._at + this._bytes.length) {
      // A copy: the source may reuse its buffer for someone else's read.
      this._bytes = this._source.read(at, Math.max(length, this._window)).slice();
      this._at = at;
    }
    return this._bytes.subarray(at - this._at, end - this._at);
  }
}
