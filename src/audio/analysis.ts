// What the quality report, the suggested window and the waveform need from a file's mono mix, gathered while the
// samples stream by at the file's own rate: the energy of each 20 ms frame, the energy of each 50 ms block and
// whether it holds clipping, and the peak of short runs of samples. No sample is kept: a 10-minute file leaves about
// 600 KB here instead of 100 MB of mono mix, and every number is the one the whole mix would give (same samples,
// same order of additions).
import { CLIP_LEVEL, CLIP_RUN } from './levels';
import type { ChannelLevels } from './types';

/** Analysis frame for the loudness statistics of the report. */
export const FRAME_SEC = 0.02;
/** Block of the window search. */
export const BLOCK_SEC = 0.05;
/**
 * The waveform is drawn from the peaks of runs of samples: at most this many runs are kept, each twice as long as
 * before whenever there would be more (a 2,000-slice waveform gets at least 32 runs per slice).
 */
const MAX_PEAK_RUNS = 1 << 17;

/** The streamed measurements of one file's mono mix (see MonoAnalyzer). */
export interface AudioAnalysis {
  sampleRate: number;
  /** Samples in the mono mix. */
  length: number;
  /** Levels of the file's own channels (peak, sum of squares, clipped samples). */
  source: ChannelLevels;
  /** Samples per 20 ms frame, and each whole frame's sum of squared samples. */
  frameSize: number;
  frameSums: Float64Array;
  /** Samples per 50 ms block, each whole block's sum of squares, and 1 where a block holds a clipped sample. */
  blockSize: number;
  blockSums: Float64Array;
  blockClipped: Uint8Array;
  /**
   * The highest |sample| of each run of `peakStep` samples (the last run may be shorter); empty when not asked for.
   * `peakStep` is a power of two, from 1 for a short file to 256 for 10 minutes at 48 kHz.
   */
  peakStep: number;
  peaks: Float32Array;
}

/** A typed array that grows as values are appended. */
class Growing<T extends Float64Array | Float32Array | Uint8Array> {
  length = 0;
  constructor(
    public values: T,
    private readonly make: (n: number) => T,
  ) {}

  push(v: number): void {
    if (this.length === this.values.length) {
      const grown = this.make(Math.max(16, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = v;
  }

  done(): T {
    return this.values.slice(0, this.length) as T;
  }
}

const f64 = (n: number) => new Growing<Float64Array>(new Float64Array(n), (m) => new Float64Array(m));

/**
 * Measures a mono mix fed block by block; with `peaks`, keeps the waveform's peaks too. Frames and blocks that the end
 * of the audio cuts short are not counted, as frameLevels() does not count them.
 */
export class MonoAnalyzer {
  readonly frameSize: number;
  readonly blockSize: number;
  private _length = 0;
  private readonly _frames: Growing<Float64Array>;
  private readonly _blocks: Growing<Float64Array>;
  private readonly _clipped = new Growing(new Uint8Array(0), (n) => new Uint8Array(n));
  private readonly _peaks = new Growing(new Float32Array(0), (n) => new Float32Array(n));
  private _frameSum = 0;
  private _frameFill = 0;
  private _blockSum = 0;
  private _blockFill = 0;
  /** The block being filled holds a clipped sample. */
  private _blockClip = 0;
  private _run = 0;
  private _peak = 0;
  private _peakFill = 0;
  private _peakStep: number;

  constructor(
    readonly sampleRate: number,
    peaks = false,
    /** The expected number of samples, to size the arrays once (they grow if it is short). */
    expectedLength = 0,
  ) {
    this._peakStep = peaks ? 1 : 0;
    this.frameSize = Math.max(1, Math.round(sampleRate * FRAME_SEC));
    this.blockSize = Math.max(1, Math.round(sampleRate * BLOCK_SEC));
    this._frames = f64(Math.ceil(expectedLength / this.frameSize) + 1);
    this._blocks = f64(Math.ceil(expectedLength / this.blockSize) + 1);
  }

  get length(): number {
    return this._length;
  }

  /** Adds the first `count` samples of a block of the mono mix (Float32 values, as the old whole mix held them). */
  add(mono: Float32Array, count = mono.length): void {
    const { frameSize, blockSize } = this;
    const length = this._length;
    let frameSum = this._frameSum;
    let frameFill = this._frameFill;
    let blockSum = this._blockSum;
    let blockFill = this._blockFill;
    let run = this._run;
    for (let i = 0; i < count; i++) {
      const v = mono[i];
      const sq = v * v;
      frameSum += sq;
      blockSum += sq;
      if ((v < CLIP_LEVEL && v > -CLIP_LEVEL) || v !== v) {
        run = 0; // not full scale (or not a number)
      } else if (++run >= CLIP_RUN) {
        this._clipRun(run, length + i);
      }
      if (++frameFill === frameSize) {
        this._frames.push(frameSum);
        frameSum = 0;
        frameFill = 0;
      }
      if (++blockFill === blockSize) {
        this._blocks.push(blockSum);
        this._clipped.push(this._blockClip);
        this._blockClip = 0;
        blockSum = 0;
        blockFill = 0;
      }
    }
    this._length = length + count;
    this._frameSum = frameSum;
    this._frameFill = frameFill;
    this._blockSum = blockSum;
    this._blockFill = blockFill;
    this._run = run;
    if (this._peakStep) {
      this._addPeaks(mono, count);
    }
  }

  private _addPeaks(mono: Float32Array, count: number): void {
    let peak = this._peak;
    let fill = this._peakFill;
    for (let i = 0; i < count; i++) {
      const a = Math.abs(mono[i]);
      if (a > peak) {
        peak = a;
      }
      if (++fill === this._peakStep) {
        this._peak = peak;
        this._pushPeak();
        peak = 0;
        fill = 0;
      }
    }
    this._peak = peak;
    this._peakFill = fill;
  }

  /**
   * Sample `index` is the `run`-th full-scale one in a row, run ≥ CLIP_RUN. A run that reaches CLIP_RUN marks the
   * blocks of all its samples, as clippedMask() marks the samples; every later sample of the run marks its own block.
   */
  private _clipRun(run: number, index: number): void {
    this._blockClip = 1;
    if (run === CLIP_RUN) {
      const here = Math.floor(index / this.blockSize);
      for (let b = Math.floor((index - CLIP_RUN + 1) / this.blockSize); b < here; b++) {
        this._clipped.values[b] = 1; // an earlier block, already pushed
      }
    }
  }

  private _pushPeak(): void {
    this._peaks.push(this._peak);
    this._peak = 0;
    this._peakFill = 0;
    if (this._peaks.length < MAX_PEAK_RUNS) {
      return;
    }
    // Twice as long runs: each new run is the peak of two old ones.
    const p = this._peaks.values;
    const half = this._peaks.length >> 1;
    for (let r = 0; r < half; r++) {
      p[r] = Math.max(p[2 * r], p[2 * r + 1]);
    }
    this._peaks.length = half;
    this._peakStep *= 2;
  }

  /** The measurements, with the levels of the file's own channels. */
  finish(source: ChannelLevels): AudioAnalysis {
    if (this._peakStep && this._peakFill > 0) {
      this._peaks.push(this._peak);
      this._peakFill = 0;
    }
    return {
      sampleRate: this.sampleRate,
      length: this._length,
      source,
      frameSize: this.frameSize,
      frameSums: this._frames.done(),
      blockSize: this.blockSize,
      blockSums: this._blocks.done(),
      blockClipped: this._clipped.done(),
      peakStep: this._peakStep,
      peaks: this._peaks.done(),
    };
  }
}
