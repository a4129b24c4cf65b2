import * as assert from 'assert';
import { runPool } from '../../../src/fromFile/batchPool';
import { KlingError, isConcurrencyLimit } from '../../../src/kling';

const limitError = () => new KlingError({ kind: 'api', status: 429, code: 1303, message: 'too many tasks' });

describe('upload: batch scheduler (concurrency limit and 1303 backoff)', () => {
  it('never runs more than the limit at once and runs every job once', async () => {
    let active = 0;
    let most = 0;
    const done: number[] = [];
    await runPool(
      [1, 2, 3, 4, 5, 6, 7],
      3,
      async (j) => {
        active++;
        most = Math.max(most, active);
        await new Promise((r) => setTimeout(r, 10 + (j % 3) * 5));
        active--;
        done.push(j);
      },
      new AbortController().signal,
      { warn: () => undefined },
      () => assert.fail('nothing is given up'),
    );
    assert.strictEqual(most, 3);
    assert.deepStrictEqual([...done].sort(), [1, 2, 3, 4, 5, 6, 7]);
  });

  it('on 1303 lowers the limit, waits, and retries the job; other errors go to onGiveUp once', async () => {
    const attempts = new Map<string, number>();
    const warnings: string[] = [];
    const givenUp: string[] = [];
    let active = 0;
    const activeAtStart: number[] = [];
    let failures = 2;
    const started = Date.now();
    await runPool(
      ['a', 'b', 'c', 'bad'],
      3,
      async (j) => {
        attempts.set(j, (attempts.get(j) ?? 0) + 1);
        active++;
        activeAtStart.push(active);
        try {
          await new Promise((r) => setTimeout(r, 5));
          if (j === 'bad') {
            throw new Error('broken file');
          }
          if (j === 'b' && failures-- > 0) {
            throw limitError();
          }
        } finally {
          active--;
        }
      },
      new AbortController().signal,
      { warn: (m) => warnings.push(m) },
      (j) => givenUp.push(j),
      { baseDelayMs: 20 },
    );
    assert.strictEqual(attempts.get('b'), 3, 'b ran again after each 1303');
    assert.strictEqual(attempts.get('bad'), 1, 'other errors are not retried');
    assert.deepStrictEqual(givenUp, ['bad']);
    assert.strictEqual(warnings.length, 2);
    assert.match(warnings[0], /code 1303/);
    assert.ok(Date.now() - started >= 20 + 40 - 5, 'waited 20 ms, then 40 ms');
    assert.ok(isConcurrencyLimit(limitError()) && !isConcurrencyLimit(new Error('x')));
  });

  it('gives a job up after maxTries rounds of 1303', async () => {
    const givenUp: unknown[] = [];
    let n = 0;
    await runPool(
      ['x'],
      2,
      async () => {
        n++;
        throw limitError();
      },
      new AbortController().signal,
      { warn: () => undefined },
      (_j, e) => givenUp.push(e),
      { baseDelayMs: 1, maxTries: 3 },
    );
    assert.strictEqual(n, 4);
    assert.ok(givenUp.length === 1 && isConcurrencyLimit(givenUp[0]));
  });
});
