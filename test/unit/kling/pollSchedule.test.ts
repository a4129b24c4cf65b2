import * as assert from 'assert';
import { POLL_MAX_DELAY_MS, nextPollDelay, pollInterval, pollTimes, slowedDown } from '../../../src/kling/pollSchedule';

/** The time from the task's end to the check that sees it, for a check that takes no time. */
function latency(taskMs: number, unitMs = 1000): number {
  const times = pollTimes(taskMs, unitMs);
  return times[times.length - 1] - taskMs;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

describe('poll schedule', () => {
  it('does not check right after the create: the first check comes 5 units later', () => {
    assert.strictEqual(nextPollDelay(0, 1000), 5000);
    assert.strictEqual(nextPollDelay(1200, 1000), 3800, 'counted from the create, not from the call');
    assert.strictEqual(pollTimes(1000, 1000)[0], 5000);
    assert.strictEqual(nextPollDelay(0, 100), 500, 'scaled by the unit');
  });

  it('checks a 9 s and a 15 s task every second, with at most 12 requests for 15 s', () => {
    assert.deepStrictEqual(pollTimes(9000, 1000), [5000, 6000, 7000, 8000, 9000]);
    const t15 = pollTimes(15_000, 1000);
    assert.strictEqual(t15.length, 11);
    // A task ending just after a check costs one more; still within budget.
    assert.ok(pollTimes(15_001, 1000).length <= 12);
  });

  it('sees a 5–60 s task within 1 s of its end at the median, and within 1.5 s at worst', () => {
    const lat: number[] = [];
    for (let t = 5000; t <= 60_000; t += 137) {
      lat.push(latency(t));
    }
    assert.ok(median(lat) <= 1000, `median ${median(lat)} ms`);
    assert.ok(Math.max(...lat) <= 1500, `worst ${Math.max(...lat)} ms`);
  });

  it('grows gently after a minute, at most 15 units apart', () => {
    assert.strictEqual(pollInterval(19_999, 1000), 1000);
    assert.strictEqual(pollInterval(20_000, 1000), 1500);
    assert.strictEqual(pollInterval(60_000, 1000), 1500, 'continuous at one minute');
    assert.strictEqual(pollInterval(120_000, 1000), 7500);
    assert.strictEqual(pollInterval(195_000, 1000), 15_000);
    assert.strictEqual(pollInterval(600_000, 1000), 15_000);
    assert.strictEqual(pollInterval(3_600_000, 1000), 15_000);
    assert.strictEqual(pollInterval(3_600_000, 2000), 30_000, 'a larger unit checks less often');
    // Each interval at most a tenth longer than the one before: no sudden jumps.
    for (let age = 60_000; age < 600_000; age += 1000) {
      const a = pollInterval(age, 1000);
      const b = pollInterval(age + a, 1000);
      assert.ok(b / a <= 1.1 + 1e-9, `jump at ${age}: ${a} → ${b}`);
    }
    const tenMinutes = pollTimes(600_000, 1000);
    assert.ok(tenMinutes.length < 100, `${tenMinutes.length} requests for a 10 min task`);
  });

  it('backs off after a rate limit, doubling the wait up to a cap', () => {
    let s = 1;
    s = slowedDown(s);
    assert.strictEqual(nextPollDelay(10_000, 1000, s), 2000);
    s = slowedDown(s);
    assert.strictEqual(nextPollDelay(10_000, 1000, s), 4000);
    for (let i = 0; i < 10; i++) {
      s = slowedDown(s);
    }
    assert.strictEqual(s, 16);
    assert.strictEqual(nextPollDelay(10_000, 1000, s), 16_000);
    assert.strictEqual(nextPollDelay(3_600_000, 60_000, s), POLL_MAX_DELAY_MS);
    assert.strictEqual(nextPollDelay(10_000, 1000, 0.1), 1000, 'a slowdown below 1 never speeds up');
  });

  it('never returns a negative, fractional or zero wait for odd input', () => {
    for (const [age, unit] of [
      [-5, 1000],
      [Number.NaN, 1000],
      [4999.5, 1000],
      [0, 0],
      [1e12, 100],
    ]) {
      const d = nextPollDelay(age, unit);
      assert.ok(Number.isInteger(d) && d >= 1, `${age}/${unit} → ${d}`);
    }
  });
});
