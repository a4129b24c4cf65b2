import type { AudioWindow } from './window';
import type { PcmAudio } from './types';
import { encodeWavMono16, mixToMono } from './wav';

export interface ExportOptions {
  /** Scale so the highest peak reaches this level (dBFS, e.g. −1). Omit to keep the level. */
  normalizePeakDbfs?: number;
  /** Short fade at both ends so the cut does not click (default 10 ms). */
  fadeSec?: number;
}

/** The samples [from, to) of a mix of `length` samples that a window covers (rounded to the nearest sample). */
export function windowRange(length: number, sampleRate: number, window: AudioWindow): { from: number; to: number } {
  const from = Math.max(0, Math.min(length, Math.round(window.startSec * sampleRate)));
  const to = Math.max(from, Math.min(length, Math.round(window.endSec * sampleRate)));
  return { from, to };
}

/** Cuts a window, mixes to mono, optionally peak-normalises, and encodes 16-bit PCM WAV. */
export function exportWindowWav(audio: PcmAudio, window: AudioWindow, options: ExportOptions = {}): Uint8Array {
  const mono = mixToMono(audio);
  const { from, to } = windowRange(mono.length, audio.sampleRate, window);
  return encodeWindow(mono.slice(from, to), audio.sampleRate, options);
}

/**
 * Encodes the mono samples of a cut window (changed in place): optional peak normalisation, a fade at both ends,
 * 16-bit PCM WAV.
 */
export function encodeWindow(out: Float32Array, sampleRate: number, options: ExportOptions = {}): Uint8Array {
  if (options.normalizePeakDbfs !== undefined) {
    let peak = 0;
    for (const v of out) {
      peak = Math.max(peak, Math.abs(v));
    }
    if (peak > 0) {
      const gain = 10 ** (options.normalizePeakDbfs / 20) / peak;
      for (let i = 0; i < out.length; i++) {
        out[i] *= gain;
      }
    }
  }
  const fade = Math.min(Math.floor(out.length / 2), Math.round((options.fadeSec ?? 0.01) * sampleRate));
  for (let i = 0; i < fade; i++) {
    const g = i / fade;
    out[i] *= g;
    out[out.length - 1 - i] *= g;
  }
  return encodeWavMono16(out, sampleRate);
}
