import { MAX_DURATION_SEC, MIN_DURATION_SEC } from './rules';
import { clippedMask, frameLevels, silenceThresholdDb } from './quality';
import type { PcmAudio } from './types';
import { mixToMono } from './wav';

export interface AudioWindow {
  startSec: number;
  endSec: number;
}

export interface WindowSuggestion extends AudioWindow {
  /** Share (0–1) of the window's blocks that hold speech-level sound. */
  activeShare: number;
  /** Share (0–1) of the window's blocks that contain clipping. */
  clippedShare: number;
}

const BLOCK_SEC = 0.05;

/**
 * Suggests the 5–30 s window (about `targetSec` long, 20 s by default) with the most speech energy and
 * the least silence and clipping. Scores 50 ms blocks: +1 for an active block (above the silence
 * threshold) plus a small bonus for loudness, −4 for a block with clipping; the best window is found with
 * prefix sums, and its edges are moved out of words into nearby pauses where possible.
 * Returns undefined when the audio is shorter than 5 s.
 */
export function suggestWindow(audio: PcmAudio, targetSec = 20): WindowSuggestion | undefined {
  const mono = mixToMono(audio);
  const duration = mono.length / audio.sampleRate;
  if (duration < MIN_DURATION_SEC) {
    return undefined;
  }
  const levels = frameLevels(mono, audio.sampleRate, BLOCK_SEC);
  const blockSize = Math.max(1, Math.round(audio.sampleRate * BLOCK_SEC));
  const sorted = Float64Array.from(levels).sort();
  const threshold = silenceThresholdDb(sorted);
  const clip = clippedMask(mono);
  const n = levels.length;
  const score = new Float64Array(n + 1);
  const active = new Float64Array(n + 1);
  const clipped = new Float64Array(n + 1);
  for (let b = 0; b < n; b++) {
    const isActive = levels[b] >= threshold ? 1 : 0;
    let hasClip = 0;
    for (let i = b * blockSize, end = Math.min(clip.length, i + blockSize); i < end; i++) {
      if (clip[i]) {
        hasClip = 1;
        break;
      }
    }
    const loudness = isActive ? Math.max(0, Math.min(1, (levels[b] - threshold) / 40)) : 0;
    score[b + 1] = score[b] + isActive + 0.25 * loudness - 4 * hasClip;
    active[b + 1] = active[b] + isActive;
    clipped[b + 1] = clipped[b] + hasClip;
  }
  const wanted = Math.min(Math.max(targetSec, MIN_DURATION_SEC), MAX_DURATION_SEC, duration);
  const len = Math.max(1, Math.min(n, Math.floor(wanted / BLOCK_SEC)));
  let best = 0;
  let bestScore = -Infinity;
  for (let s = 0; s + len <= n; s++) {
    const v = score[s + len] - score[s];
    if (v > bestScore + 1e-9) {
      bestScore = v;
      best = s;
    }
  }
  // Nudge the start back (and the end forward) into a pause, by up to 0.5 s, so no word is cut.
  let start = best;
  let end = best + len;
  for (let k = 0; k < 10 && start > 0 && levels[start] >= threshold; k++) {
    start--;
  }
  for (let k = 0; k < 10 && end < n && levels[end - 1] >= threshold; k++) {
    end++;
  }
  // Stay within 30 s.
  const maxBlocks = Math.floor(MAX_DURATION_SEC / BLOCK_SEC);
  if (end - start > maxBlocks) {
    end = start + maxBlocks;
  }
  const startSec = start * BLOCK_SEC;
  const endSec = Math.min(duration, end === n ? duration : end * BLOCK_SEC);
  const blocks = end - start;
  return {
    startSec,
    endSec,
    activeShare: blocks ? (active[end] - active[start]) / blocks : 0,
    clippedShare: blocks ? (clipped[end] - clipped[start]) / blocks : 0,
  };
}
