// The trimmer's selection arithmetic. Pure: no vscode, no DOM; the page and the host clamp a selection the same way.
import * as l10n from '@vscode/l10n';
import { formatNumber } from './format';
import { MAX_SAMPLE_SEC, MIN_SAMPLE_SEC } from '../kling/rules';

/** A stretch of the file, in seconds from its start. */
export interface Selection {
  startSec: number;
  endSec: number;
}

/** The shortest selection the handles allow (below it a drag would lose the window). */
export const MIN_SELECTION_SEC = 0.5;
/** Keyboard steps: arrow keys move by 0.1 s, with Shift by 1 s. */
export const STEP_SEC = 0.1;
export const BIG_STEP_SEC = 1;
/** Longest file the trimmer accepts (a selection can never be longer). */
export const MAX_TRIMMER_FILE_SEC = 3600;

/** Rounds to 10 ms so repeated steps do not drift (0.1 + 0.2 …). */
export function roundSec(s: number): number {
  return Math.round(s * 100) / 100;
}

function finite(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}

/** Puts a selection inside [0, duration], in order, at least MIN_SELECTION_SEC long (or the whole file if shorter). */
export function clampSelection(sel: Selection, durationSec: number): Selection {
  const duration = Math.max(0, finite(durationSec, 0));
  const minLen = Math.min(MIN_SELECTION_SEC, duration);
  let start = Math.min(Math.max(0, finite(sel.startSec, 0)), duration);
  let end = Math.min(Math.max(0, finite(sel.endSec, duration)), duration);
  if (end < start) {
    [start, end] = [end, start];
  }
  if (end - start < minLen) {
    end = Math.min(duration, start + minLen);
    start = Math.max(0, end - minLen);
  }
  return { startSec: roundSec(start), endSec: roundSec(end) };
}

/** Moves the whole window by `deltaSec`, keeping its length; stops at the file's ends. */
export function moveSelection(sel: Selection, deltaSec: number, durationSec: number): Selection {
  const s = clampSelection(sel, durationSec);
  const len = s.endSec - s.startSec;
  const start = Math.min(Math.max(0, s.startSec + finite(deltaSec, 0)), Math.max(0, durationSec - len));
  return { startSec: roundSec(start), endSec: roundSec(start + len) };
}

/** Moves one edge to `atSec`; the other edge stays, and the window keeps MIN_SELECTION_SEC. */
export function resizeSelection(sel: Selection, edge: 'start' | 'end', atSec: number, durationSec: number): Selection {
  const s = clampSelection(sel, durationSec);
  const minLen = Math.min(MIN_SELECTION_SEC, durationSec);
  const t = Math.min(Math.max(0, finite(atSec, edge === 'start' ? s.startSec : s.endSec)), durationSec);
  return edge === 'start'
    ? { startSec: roundSec(Math.min(t, s.endSec - minLen)), endSec: s.endSec }
    : { startSec: s.startSec, endSec: roundSec(Math.max(t, s.startSec + minLen)) };
}

/** Why a selection cannot be sent (Kling's 5–30 s rule, with the real length), or undefined when it can. */
export function selectionProblem(sel: Selection): string | undefined {
  const len = roundSec(sel.endSec - sel.startSec);
  if (len < MIN_SAMPLE_SEC) {
    return l10n.t(
      'The selection is {0} s; Kling needs {1}–{2} s. Make it longer.',
      formatNumber(len, 1),
      MIN_SAMPLE_SEC,
      MAX_SAMPLE_SEC,
    );
  }
  if (len > MAX_SAMPLE_SEC) {
    return l10n.t(
      'The selection is {0} s; Kling accepts {1}–{2} s. Make it shorter.',
      formatNumber(len, 1),
      MIN_SAMPLE_SEC,
      MAX_SAMPLE_SEC,
    );
  }
  return undefined;
}
