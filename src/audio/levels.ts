import type { ChannelLevels } from './types';

/** |sample| at or above this is full scale; runs of 3+ such samples are counted as clipped. */
export const CLIP_LEVEL = 0.999;
export const CLIP_RUN = 3;

/**
 * Peak, sum of squares and clipped samples of each channel, fed block by block, so a decoder can measure the
 * file's own channels while it keeps only their mono mix. Clipping runs that span two blocks are counted
 * as one run, exactly as clippedMask() in quality.ts counts them.
 */
export class LevelMeter {
  private readonly _peak: Float64Array;
  private readonly _sumSq: Float64Array;
  private readonly _clipped: Float64Array;
  /** Length of the full-scale run each channel is in at the end of the last block. */
  private readonly _run: Float64Array;

  constructor(readonly channelCount: number) {
    this._peak = new Float64Array(channelCount);
    this._sumSq = new Float64Array(channelCount);
    this._clipped = new Float64Array(channelCount);
    this._run = new Float64Array(channelCount);
  }

  /** Measures the first `length` samples of each channel of a block (one array per channel). */
  add(block: readonly Float32Array[], length = block[0]?.length ?? 0): void {
    for (let c = 0; c < this.channelCount; c++) {
      const ch = block[c];
      let peak = this._peak[c];
      let sumSq = this._sumSq[c];
      let clipped = this._clipped[c];
      let run = this._run[c];
      for (let i = 0; i < length; i++) {
        const v = ch[i];
        const a = Math.abs(v);
        if (a > peak) {
          peak = a;
        }
        sumSq += v * v;
        if (a >= CLIP_LEVEL) {
          run++;
        } else {
          if (run >= CLIP_RUN) {
            clipped += run;
          }
          run = 0;
        }
      }
      this._peak[c] = peak;
      this._sumSq[c] = sumSq;
      this._clipped[c] = clipped;
      this._run[c] = run;
    }
  }

  /** The levels so far, over the first `channels` channels (fewer when the others only repeat them). */
  levels(channels = this.channelCount): ChannelLevels {
    const out: ChannelLevels = { channels, peak: 0, sumSq: 0, clipped: 0 };
    for (let c = 0; c < channels; c++) {
      out.peak = Math.max(out.peak, this._peak[c]);
      out.sumSq += this._sumSq[c];
      out.clipped += this._clipped[c] + (this._run[c] >= CLIP_RUN ? this._run[c] : 0);
    }
    return out;
  }
}

/** The levels of every channel of decoded audio. */
export function measureLevels(channels: readonly Float32Array[]): ChannelLevels {
  const meter = new LevelMeter(channels.length);
  meter.add(channels);
  return meter.levels();
}
