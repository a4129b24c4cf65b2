import { createHash, randomUUID } from 'crypto';
import * as vscode from 'vscode';
import type { CreateVoiceInput, TaskStatus, Voice, VoiceTask } from '../kling';
import { sourceOf, type TaskSource } from './source';
import { STATE_KEYS } from '../ids';
import { Disposable } from '../dispose';
import { TaskLeases } from './lease';

/** One task the user started from this machine. Never holds the key. */
export interface HistoryEntry {
  taskId: string;
  /** The API base URL the task was created with: task ids mean nothing on another service. */
  baseUrl?: string;
  externalTaskId?: string;
  voiceName: string;
  source?: TaskSource;
  status: TaskStatus;
  statusMessage?: string;
  /**
   * A failed task only: the request id and HTTP status of the answer that reported the failure (a poll, Check Task,
   * the account list, or the error of a lookup that found the task gone), for Copy Diagnostics.
   */
  requestId?: string;
  httpStatus?: number;
  voices: Voice[];
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
}

/** The v1 array keys, migrated to one key per task (and per unconfirmed create) at the first use. */
const LEGACY_KEY = STATE_KEYS.taskHistory;
const LEGACY_UNCONFIRMED_KEY = STATE_KEYS.unconfirmedCreates;
const ENTRY_PREFIX = STATE_KEYS.taskEntryPrefix;
const UNCONFIRMED_PREFIX = STATE_KEYS.unconfirmedPrefix;
const MAX_ENTRIES = 500;
const LEGACY_HIDDEN_KEY = STATE_KEYS.hiddenTasks;
const HIDDEN_PREFIX = STATE_KEYS.hiddenPrefix;
const MAX_HIDDEN = 2000;
/** How long after a write a window checks that another window's write did not drop it (see `_keep`). */
const KEEP_CHECK_MS = 1500;
/** How long an unconfirmed create is looked up before the same voice is created again. */
const UNCONFIRMED_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A create whose outcome is unknown (the answer was lost, unreadable or cancelled after the request left):
 * Kling may have created the task. The next create of the same voice looks it up by this external id first.
 */
interface Unconfirmed {
  /** The voice name and the sample (see unconfirmedKey). */
  key: string;
  baseUrl: string;
  externalTaskId: string;
  at: number;
}

function isUnconfirmed(v: unknown): v is Unconfirmed {
  const u = v as Unconfirmed;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof u.key === 'string' &&
    typeof u.baseUrl === 'string' &&
    typeof u.externalTaskId === 'string' &&
    typeof u.at === 'number'
  );
}

/** The answer that reported a task's failure: its request id and HTTP status, when known. */
export interface FailedAnswer {
  requestId?: string;
  httpStatus?: number;
}

/** Only well-formed values, and no undefined keys (globalState is JSON). */
function failedAnswer(a: FailedAnswer): FailedAnswer {
  const out: FailedAnswer = {};
  if (typeof a.requestId === 'string' && a.requestId && a.requestId.length <= 256) {
    out.requestId = a.requestId;
  }
  if (typeof a.httpStatus === 'number' && Number.isInteger(a.httpStatus) && a.httpStatus >= 100 && a.httpStatus < 600) {
    out.httpStatus = a.httpStatus;
  }
  return out;
}

/** The failed answer kept on an entry read from globalState (data from disk: checked), for a report. */
export function entryFailedAnswer(e: HistoryEntry): FailedAnswer {
  return e.status === 'failed' ? failedAnswer(e) : {};
}

function isEntry(v: unknown): v is HistoryEntry {
  const e = v as HistoryEntry;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof e.taskId === 'string' &&
    typeof e.status === 'string' &&
    Array.isArray(e.voices)
  );
}

/**
 * Task history in globalState: recorded on submit, updated as the task runs, resumed after a restart.
 *
 * Every task (and every unconfirmed create) has its own key: several windows share globalState, each through its
 * own copy that learns the others' writes late, so a write of the whole list would put back a list without the
 * other window's newest task. A write of one key changes only that task.
 */
export class TaskHistory extends Disposable implements vscode.Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  /** Which window follows which task (this extension host is one owner). */
  readonly leases: TaskLeases;
  /** Keys this window removed: never written back by `_keep`. */
  private readonly _removed = new Set<string>();
  private readonly _checks = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly _state: vscode.Memento) {
    super();
    this.leases = new TaskLeases(_state, { owner: randomUUID(), prefix: STATE_KEYS.taskLeasePrefix });
    this._migrate();
    void this.leases.prune();
  }

  /** Tells the views that another window changed the history (this window learns it by looking). */
  changedElsewhere(): void {
    this._onDidChange.fire();
  }

  /** The globalState it keeps its keys in (other per-key records live beside them: consents, notes). */
  get memento(): vscode.Memento {
    return this._state;
  }

  /** Every entry, newest first. */
  all(): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    for (const key of this._state.keys()) {
      if (key.startsWith(ENTRY_PREFIX)) {
        const v = this._state.get<unknown>(key);
        if (isEntry(v)) {
          entries.push(v);
        }
      }
    }
    return entries.sort((a, b) => b.createdAt - a.createdAt || b.updatedAt - a.updatedAt);
  }

  get(taskId: string): HistoryEntry | undefined {
    const v = this._state.get<unknown>(ENTRY_PREFIX + taskId);
    return isEntry(v) ? v : undefined;
  }

  /** Tasks still running, optionally only those of one service. */
  inFlight(baseUrl?: string): HistoryEntry[] {
    return this.all().filter(
      (e) => (e.status === 'submitted' || e.status === 'processing') && (!baseUrl || e.baseUrl === baseUrl),
    );
  }

  /** Entries of one service (entries recorded before base URLs were kept count for every service). */
  forService(baseUrl: string): HistoryEntry[] {
    return this.all().filter((e) => !e.baseUrl || e.baseUrl === baseUrl);
  }

  /** Marks a task the service no longer knows as failed, with the reason and the answer that said so. */
  async markLost(taskId: string, reason: string, answer: FailedAnswer = {}): Promise<void> {
    const e = this.get(taskId);
    if (!e) {
      return;
    }
    await this._put({ ...e, status: 'failed', statusMessage: reason, ...failedAnswer(answer), updatedAt: Date.now() });
  }

  /**
   * Records a task returned by the API, keeping what we knew before (name, source). `source`, when given, says
   * where the sample came from when that is not the URL sent (an uploaded local file).
   */
  async record(
    task: VoiceTask,
    input?: Pick<CreateVoiceInput, 'voiceName' | 'voiceUrl' | 'videoId'>,
    baseUrl?: string,
    source?: TaskSource,
  ): Promise<HistoryEntry> {
    const prev = this.get(task.taskId);
    const now = Date.now();
    const entry: HistoryEntry = {
      taskId: task.taskId,
      baseUrl: baseUrl ?? prev?.baseUrl,
      externalTaskId: task.externalTaskId ?? prev?.externalTaskId,
      voiceName: task.voices[0]?.voiceName || input?.voiceName?.trim() || prev?.voiceName || '',
      source: source ?? (input ? sourceOf(input) : undefined) ?? prev?.source,
      status: task.status,
      statusMessage: task.statusMessage,
      // Kept while the task stays failed: a later read of it (the account list) need not carry them.
      ...(task.status === 'failed'
        ? failedAnswer({
            requestId: task.requestId ?? (prev?.status === 'failed' ? prev.requestId : undefined),
            httpStatus: task.httpStatus ?? (prev?.status === 'failed' ? prev.httpStatus : undefined),
          })
        : {}),
      voices: task.voices.length ? task.voices : (prev?.voices ?? []),
      createdAt: task.createdAt ?? prev?.createdAt ?? now,
      updatedAt: task.updatedAt ?? now,
    };
    await this._put(entry);
    return entry;
  }

  /** Task ids the user removed from My Voices (failed or voiceless tasks; the account may still list them). */
  hidden(): Set<string> {
    return new Set(
      this._state
        .keys()
        .filter((k) => k.startsWith(HIDDEN_PREFIX))
        .map((k) => k.slice(HIDDEN_PREFIX.length)),
    );
  }

  /** Removes tasks from the list for good: out of the history, and hidden if the account lists them. */
  async hide(taskIds: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const id of new Set(taskIds)) {
      await this._state.update(HIDDEN_PREFIX + id, now);
    }
    await this._pruneHidden();
    await this._delete([...taskIds]);
  }

  /** Keeps the newest MAX_HIDDEN hidden ids (one key each, so windows hiding tasks at once keep both). */
  private async _pruneHidden(): Promise<void> {
    const keys = this._state.keys().filter((k) => k.startsWith(HIDDEN_PREFIX));
    if (keys.length <= MAX_HIDDEN) {
      return;
    }
    const at = (k: string) => {
      const v = this._state.get<unknown>(k);
      return typeof v === 'number' ? v : 0;
    };
    for (const k of keys.sort((a, b) => at(b) - at(a)).slice(MAX_HIDDEN)) {
      await this._state.update(k, undefined);
    }
  }

  async remove(taskId: string): Promise<void> {
    await this._delete([taskId]);
  }

  /** Forgets a deleted voice: its task stays out of the library. */
  async removeVoice(voiceId: string): Promise<void> {
    await this._delete(
      this.all()
        .filter((e) => e.voices.some((v) => v.voiceId === voiceId))
        .map((e) => e.taskId),
    );
  }

  async clear(): Promise<void> {
    await this._delete(this.all().map((e) => e.taskId));
  }

  /** The external id of an unconfirmed create of the same voice on this service (recent ones only). */
  unconfirmed(key: string, baseUrl: string, now = Date.now()): string | undefined {
    const u = this._state.get<unknown>(unconfirmedStateKey(key, baseUrl));
    return isUnconfirmed(u) && now - u.at < UNCONFIRMED_TTL_MS ? u.externalTaskId : undefined;
  }

  async rememberUnconfirmed(key: string, baseUrl: string, externalTaskId: string): Promise<void> {
    const now = Date.now();
    const value = { key, baseUrl, externalTaskId, at: now };
    await this._state.update(unconfirmedStateKey(key, baseUrl), value);
    this._keep(unconfirmedStateKey(key, baseUrl), value, (v) => !isUnconfirmed(v));
    // Expired ones go (each window removes what it sees expired; a key per create, so nothing else is touched).
    for (const k of this._state.keys()) {
      const u = k.startsWith(UNCONFIRMED_PREFIX) ? this._state.get<unknown>(k) : undefined;
      if (u !== undefined && (!isUnconfirmed(u) || now - u.at >= UNCONFIRMED_TTL_MS)) {
        await this._state.update(k, undefined);
      }
    }
  }

  async forgetUnconfirmed(key: string, baseUrl: string): Promise<void> {
    const k = unconfirmedStateKey(key, baseUrl);
    this._removed.add(k);
    if (this._state.get<unknown>(k) !== undefined) {
      await this._state.update(k, undefined);
    }
  }

  /**
   * VS Code keeps an extension's globalState as one object: a window writes the whole of it, and the other windows'
   * copies are replaced by it when they learn the write (about a hundred ms later). Two windows writing different
   * keys within that time each drop the other's key. So a window checks its write again a moment later and writes
   * it back if it is gone (or older), unless this window removed it since.
   */
  private _keep(key: string, value: unknown, lost: (now: unknown) => boolean): void {
    this._removed.delete(key);
    const timer = setTimeout(() => {
      this._checks.delete(timer);
      if (!this.isDisposed && !this._removed.has(key) && lost(this._state.get<unknown>(key))) {
        void Promise.resolve(this._state.update(key, value)).then(() => this._onDidChange.fire());
      }
    }, KEEP_CHECK_MS);
    this._checks.add(timer);
  }

  override dispose(): void {
    this._checks.forEach(clearTimeout);
    this._checks.clear();
    super.dispose();
  }

  private async _put(entry: HistoryEntry): Promise<void> {
    await this._state.update(ENTRY_PREFIX + entry.taskId, entry);
    this._keep(ENTRY_PREFIX + entry.taskId, entry, (v) => !isEntry(v) || v.updatedAt < entry.updatedAt);
    const all = this.all();
    if (all.length > MAX_ENTRIES) {
      await this._delete(
        all.slice(MAX_ENTRIES).map((e) => e.taskId),
        false,
      );
    }
    this._onDidChange.fire();
  }

  private async _delete(taskIds: readonly string[], fire = true): Promise<void> {
    for (const id of taskIds) {
      this._removed.add(ENTRY_PREFIX + id);
      if (this._state.get<unknown>(ENTRY_PREFIX + id) !== undefined) {
        await this._state.update(ENTRY_PREFIX + id, undefined);
      }
    }
    if (fire) {
      this._onDidChange.fire();
    }
  }

  /** Moves the v1 arrays (history, unconfirmed creates, hidden tasks) to one key per entry (entries already there win: they are newer). Synchronous reads. */
  private _migrate(): void {
    const legacy = this._state.get<unknown>(LEGACY_KEY);
    if (Array.isArray(legacy)) {
      for (const e of legacy.filter(isEntry)) {
        if (!this.get(e.taskId)) {
          void this._state.update(ENTRY_PREFIX + e.taskId, e);
        }
      }
      void this._state.update(LEGACY_KEY, undefined);
    }
    const unconfirmed = this._state.get<unknown>(LEGACY_UNCONFIRMED_KEY);
    if (Array.isArray(unconfirmed)) {
      for (const u of unconfirmed.filter(isUnconfirmed)) {
        void this._state.update(unconfirmedStateKey(u.key, u.baseUrl), u);
      }
      void this._state.update(LEGACY_UNCONFIRMED_KEY, undefined);
    }
    const hidden = this._state.get<unknown>(LEGACY_HIDDEN_KEY);
    if (Array.isArray(hidden)) {
      // The array is newest first: keep that order in the times, so pruning drops the oldest.
      const strings = hidden.filter((v): v is string => typeof v === 'string').slice(0, MAX_HIDDEN);
      strings.forEach((id, i) => void this._state.update(HIDDEN_PREFIX + id, strings.length - i));
      void this._state.update(LEGACY_HIDDEN_KEY, undefined);
    }
  }
}

/** The state key of the unconfirmed create of one voice on one service. */
function unconfirmedStateKey(key: string, baseUrl: string): string {
  return UNCONFIRMED_PREFIX + createHash('sha256').update(`${baseUrl}\n${key}`).digest('hex').slice(0, 32);
}
