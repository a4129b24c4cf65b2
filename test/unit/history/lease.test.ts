import * as assert from 'assert';
import { LEASE_TTL_MS, TaskLeases, holderOf, nextLease, readLease, type LeaseStore } from '../../../src/history/lease';

/**
 * Windows sharing globalState as VS Code shares it: each window has its own copy of the extension's whole state
 * object; a write replaces the whole object everywhere, but the other windows learn it only when `propagate()`
 * runs (last write wins).
 */
class SharedState {
  private readonly _copies: Map<string, unknown>[] = [];
  private _pending: Map<string, unknown> | undefined;

  window(): LeaseStore {
    this._copies.push(new Map<string, unknown>());
    const index = this._copies.length - 1;
    return {
      get: (key) => this._copies[index].get(key),
      keys: () => [...this._copies[index].keys()],
      update: async (key, value) => {
        const next = new Map(this._copies[index]);
        if (value === undefined) {
          next.delete(key);
        } else {
          next.set(key, value);
        }
        this._copies[index] = next;
        this._pending = next;
      },
    };
  }

  /** The last whole-object write reaches every window. */
  propagate(): void {
    if (this._pending) {
      for (let i = 0; i < this._copies.length; i++) {
        this._copies[i] = new Map(this._pending);
      }
      this._pending = undefined;
    }
  }
}

describe('task leases: one window follows a task and announces its end', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('reads only well-formed leases', () => {
    assert.deepStrictEqual(readLease({ owner: 'a', expiresAt: 5, extra: 1 }), { owner: 'a', expiresAt: 5 });
    for (const bad of [
      undefined,
      null,
      'a',
      5,
      [],
      { owner: 'a' },
      { owner: 1, expiresAt: 5 },
      { owner: 'a', expiresAt: NaN },
    ]) {
      assert.strictEqual(readLease(bad), undefined, JSON.stringify(bad));
      assert.strictEqual(holderOf(bad, 'a', 0), 'none');
    }
  });

  it('a live lease belongs to its owner until it expires; then anyone may take it', () => {
    const lease = { owner: 'a', expiresAt: now + 10 };
    assert.strictEqual(holderOf(lease, 'a', now), 'me');
    assert.strictEqual(holderOf(lease, 'b', now), 'other');
    assert.strictEqual(nextLease(lease, 'b', now), undefined);
    assert.deepStrictEqual(nextLease(lease, 'a', now), { owner: 'a', expiresAt: now + LEASE_TTL_MS });
    assert.strictEqual(holderOf(lease, 'b', now + 10), 'none', 'expired at expiresAt');
    assert.deepStrictEqual(nextLease(lease, 'b', now + 10), { owner: 'b', expiresAt: now + 10 + LEASE_TTL_MS });
  });

  it('two windows: the second does not take a lease the first holds, and takes over when it expires', async () => {
    const shared = new SharedState();
    const sleep = async () => shared.propagate();
    const a = new TaskLeases(shared.window(), { owner: 'A', prefix: 'l.', now: clock, sleep });
    const b = new TaskLeases(shared.window(), { owner: 'B', prefix: 'l.', now: clock, sleep });
    assert.strictEqual(await a.take('t1'), true);
    assert.strictEqual(b.holder('t1'), 'other');
    assert.strictEqual(await b.take('t1'), false);
    assert.strictEqual(a.holder('t1'), 'me', 'B wrote nothing');

    // A renews while following: B still cannot take it after the first TTL.
    now += LEASE_TTL_MS - 1000;
    assert.strictEqual(await a.renew('t1'), true);
    shared.propagate();
    now += 2000;
    assert.strictEqual(await b.take('t1'), false);

    // A's window closes without releasing: after the TTL, B takes over, and A (were it back) sees B holds it.
    now += LEASE_TTL_MS;
    assert.strictEqual(b.holder('t1'), 'none');
    assert.strictEqual(await b.take('t1'), true);
    assert.strictEqual(a.holder('t1'), 'other');
    assert.strictEqual(await a.renew('t1'), false, 'a renewal never overwrites a live lease of another window');
  });

  it('two windows taking the same free lease at once: exactly one wins', async () => {
    for (const order of [
      ['A', 'B'],
      ['B', 'A'],
    ]) {
      const shared = new SharedState();
      const storeA = shared.window();
      const storeB = shared.window();
      // Both write before either learns the other's write; the wait lets the last write reach both.
      let writes = 0;
      let release: () => void = () => undefined;
      const bothWrote = new Promise<void>((resolve) => (release = resolve));
      const sleep = async () => {
        if (++writes === 2) {
          release();
        }
        await bothWrote;
        shared.propagate();
      };
      const leases = {
        A: new TaskLeases(storeA, { owner: 'A', prefix: 'l.', now: clock, sleep }),
        B: new TaskLeases(storeB, { owner: 'B', prefix: 'l.', now: clock, sleep }),
      };
      const [first, second] = order as ('A' | 'B')[];
      const results = await Promise.all([leases[first].take('t'), leases[second].take('t')]);
      assert.deepStrictEqual(
        results.filter(Boolean).length,
        1,
        `order ${order.join(',')}: ${JSON.stringify(results)} (one follower, one announcement)`,
      );
      assert.strictEqual(results[1], true, 'the last write wins');
    }
  });

  it('release frees the lease at once, but never another window’s; prune removes only expired leases', async () => {
    const shared = new SharedState();
    const sleep = async () => shared.propagate();
    const storeA = shared.window();
    const a = new TaskLeases(storeA, { owner: 'A', prefix: 'l.', now: clock, sleep });
    const b = new TaskLeases(shared.window(), { owner: 'B', prefix: 'l.', now: clock, sleep });
    await a.take('t1');
    await b.release('t1');
    shared.propagate();
    assert.strictEqual(b.holder('t1'), 'other');
    await a.release('t1');
    shared.propagate();
    assert.strictEqual(b.holder('t1'), 'none');
    assert.strictEqual(await b.take('t1'), true);

    await a.take('t2');
    now += LEASE_TTL_MS + 1;
    await b.renew('t1');
    await b.prune();
    shared.propagate();
    assert.deepStrictEqual(storeA.keys(), ['l.t1'], 'the expired lease of t2 is gone, the live one of t1 stays');
    assert.strictEqual(a.holder('t1'), 'other');
  });
});
