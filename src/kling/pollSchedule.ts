/**
 * When to check a running task. Pure: no clock, no I/O.
 *
 * A custom voice usually takes 9–15 s at Kling, sometimes up to a minute. The schedule is counted from the create,
 * in units of `unitMs` (klingVoice.pollIntervalSeconds, 1 s by default):
 * - no check during the first 5 units (a task is never done right after its create);
 * - one check every unit until 20 units (a 15 s task costs about 11 requests and is seen within a unit of its end);
 * - every 1.5 units until 60 units;
 * - then each wait a tenth longer than the one before (1.5 units at 60 units, 7.5 at 120), at most 15 units.
 * A rate limit (HTTP 429, code 1302) slows every later check of the task down (`slowdown`, see `slowedDown`).
 */

/** Units (of unitMs) before the first check after a create. */
export const POLL_FIRST_UNITS = 5;
/** Until this age (units) a task is checked every unit. */
export const POLL_FAST_UNTIL_UNITS = 20;
/** Until this age (units) it is checked every 1.5 units; after it, the interval grows by a tenth per check. */
export const POLL_STEADY_UNTIL_UNITS = 60;
/** The longest interval, in units. */
export const POLL_MAX_UNITS = 15;
/** The most a rate limit multiplies the intervals by. */
export const POLL_MAX_SLOWDOWN = 16;
/** The longest wait between two checks, whatever the slowdown. */
export const POLL_MAX_DELAY_MS = 5 * 60_000;

/** A finite number ≥ min, or min. */
function atLeast(min: number, value: number): number {
  return Number.isFinite(value) ? Math.max(min, value) : min;
}

/** The interval between two checks of a task of this age (ms since its create). */
export function pollInterval(ageMs: number, unitMs: number): number {
  const u = atLeast(1, unitMs);
  const age = atLeast(0, ageMs);
  if (age < POLL_FAST_UNTIL_UNITS * u) {
    return u;
  }
  if (age < POLL_STEADY_UNTIL_UNITS * u) {
    return 1.5 * u;
  }
  // (age − 45 units) / 10: 1.5 units at 60 units, and each interval a tenth longer than the one before it.
  return Math.min(POLL_MAX_UNITS * u, (age - 45 * u) / 10);
}

/**
 * How long to wait before the next check of a task of this age (ms since its create; a check just answered).
 * Before the first check's time, the wait ends at that time; `slowdown` ≥ 1 multiplies the interval.
 */
export function nextPollDelay(ageMs: number, unitMs: number, slowdown = 1): number {
  const u = atLeast(1, unitMs);
  const age = atLeast(0, ageMs);
  const untilFirst = POLL_FIRST_UNITS * u - age;
  const base = untilFirst > 0 ? untilFirst : pollInterval(age, u);
  const factor = Math.min(POLL_MAX_SLOWDOWN, atLeast(1, slowdown));
  return Math.max(1, Math.round(Math.min(POLL_MAX_DELAY_MS, base * factor)));
}

/** The slowdown after one more rate-limited check: doubled, at most POLL_MAX_SLOWDOWN. */
export function slowedDown(slowdown: number): number {
  return Math.min(POLL_MAX_SLOWDOWN, atLeast(1, slowdown) * 2);
}

/**
 * The ages (ms since the create) at which a task is checked, until the first check at or after `taskMs`
 * (when the task is seen to have ended), for a check that takes no time. For tests and the bench.
 */
export function pollTimes(taskMs: number, unitMs: number, options: { checkFirstAtMs?: number } = {}): number[] {
  const times: number[] = [];
  let t = options.checkFirstAtMs ?? nextPollDelay(0, unitMs);
  for (;;) {
    times.push(t);
    if (t >= taskMs || times.length > 10_000) {
      return times;
    }
    t += nextPollDelay(t, unitMs);
  }
}
