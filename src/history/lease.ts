// Who follows a task when several windows share globalState. Pure: the store, the clock and the wait are injected,
// so the rules are unit-tested with two owners and a fake clock.

/** A window's claim to follow a task (and announce its end) until `expiresAt` (Unix ms). */
export interface Lease {
  owner: string;
  expiresAt: number;
}

/** A lease lasts this long unless renewed: a window that closed without releasing it is taken over after this. */
export const LEASE_TTL_MS = 30_000;
/** A window following a task renews its lease this often (well within the TTL). */
export const LEASE_RENEW_MS = 10_000;
/**
 * How long a window waits after writing a lease before reading it back. Windows learn each other's writes late and
 * the last write wins, so two windows taking the same free lease at once both write; after this wait both read the
 * same winner.
 */
export const LEASE_SETTLE_MS = 750;

export function readLease(v: unknown): Lease | undefined {
  const l = v as Lease;
  return typeof v === 'object' &&
    v !== null &&
    typeof l.owner === 'string' &&
    typeof l.expiresAt === 'number' &&
    Number.isFinite(l.expiresAt)
    ? { owner: l.owner, expiresAt: l.expiresAt }
    : undefined;
}

/** Who holds the lease stored as `v` at `now`: nobody (absent, unreadable or expired), `owner`, or another window. */
export function holderOf(v: unknown, owner: string, now: number): 'none' | 'me' | 'other' {
  const lease = readLease(v);
  if (!lease || lease.expiresAt <= now) {
    return 'none';
  }
  return lease.owner === owner ? 'me' : 'other';
}

/** The lease `owner` writes to take or renew it, or undefined when another window holds it. */
export function nextLease(v: unknown, owner: string, now: number, ttlMs = LEASE_TTL_MS): Lease | undefined {
  return holderOf(v, owner, now) === 'other' ? undefined : { owner, expiresAt: now + ttlMs };
}

/** The part of a vscode.Memento the leases use. */
export interface LeaseStore {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
  keys(): readonly string[];
}

export interface LeaseOptions {
  /** This window's id (random per extension host). */
  owner: string;
  /** Prefix of the state keys, one per task. */
  prefix: string;
  now?: () => number;
  /** Waits `ms` (the settle wait); injected so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
  ttlMs?: number;
  settleMs?: number;
}

/** The leases of every task, one state key each. */
export class TaskLeases {
  readonly owner: string;
  private readonly _prefix: string;
  private readonly _now: () => number;
  private readonly _sleep: (ms: number) => Promise<void>;
  private readonly _ttl: number;
  private readonly _settle: number;

  constructor(
    private readonly _store: LeaseStore,
    options: LeaseOptions,
  ) {
    this.owner = options.owner;
    this._prefix = options.prefix;
    this._now = options.now ?? Date.now;
    this._sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this._ttl = options.ttlMs ?? LEASE_TTL_MS;
    this._settle = options.settleMs ?? LEASE_SETTLE_MS;
  }

  holder(taskId: string): 'none' | 'me' | 'other' {
    return holderOf(this._store.get(this._prefix + taskId), this.owner, this._now());
  }

  /**
   * Takes the lease of a task someone else may follow too (a task found running at start): false when another window
   * holds it, or took it at the same time and won.
   */
  async take(taskId: string): Promise<boolean> {
    if (!(await this.renew(taskId))) {
      return false;
    }
    await this._sleep(this._settle);
    return this.holder(taskId) === 'me';
  }

  /**
   * Takes or renews the lease without waiting: for a task this window just created (no one else knows it yet) and
   * for the renewals while following. False when another window holds it.
   */
  async renew(taskId: string): Promise<boolean> {
    const lease = nextLease(this._store.get(this._prefix + taskId), this.owner, this._now(), this._ttl);
    if (!lease) {
      return false;
    }
    await this._store.update(this._prefix + taskId, lease);
    return true;
  }

  /** Gives the lease up (the task ended, or this window stopped following it); another window's lease stays. */
  async release(taskId: string): Promise<void> {
    if (this.holder(taskId) === 'me') {
      await this._store.update(this._prefix + taskId, undefined);
    }
  }

  /** Removes the expired leases (of windows that closed while following). */
  async prune(): Promise<void> {
    const now = this._now();
    for (const key of this._store.keys()) {
      if (key.startsWith(this._prefix) && holderOf(this._store.get(key), this.owner, now) === 'none') {
        await this._store.update(key, undefined);
      }
    }
  }
}
