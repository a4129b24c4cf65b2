import { createHash } from 'crypto';
import * as vscode from 'vscode';
import type { CreateVoiceInput, TaskStatus, Voice, VoiceTask } from '../kling';
import { sourceOf, type TaskSource } from './source';
import { STATE_KEYS } from '../ids';
import { Disposable } from '../dispose';

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
const HIDDEN_KEY = STATE_KEYS.hiddenTasks;
const MAX_HIDDEN = 2000;
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

  constructor(private readonly _state: vscode.Memento) {
    super();
    this._migrate();
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

  /** Marks a task the service no longer knows as failed, with the reason. */
  async markLost(taskId: string, reason: string): Promise<void> {
    const e = this.get(taskId);
    if (!e) {
      return;
    }
    await this._put({ ...e, status: 'failed', statusMessage: reason, updatedAt: Date.now() });
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
      voices: task.voices.length ? task.voices : (prev?.voices ?? []),
      createdAt: task.createdAt ?? prev?.createdAt ?? now,
      updatedAt: task.updatedAt ?? now,
    };
    await this._put(entry);
    return entry;
  }

  /** Task ids the user removed from My Voices (failed or voiceless tasks; the account may still list them). */
  hidden(): Set<string> {
    const raw = this._state.get<unknown>(HIDDEN_KEY, []);
    return new Set(Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : []);
  }

  /** Removes tasks from the list for good: out of the history, and hidden if the account lists them. */
  async hide(taskIds: readonly string[]): Promise<void> {
    const ids = new Set(taskIds);
    const hidden = [...ids, ...[...this.hidden()].filter((id) => !ids.has(id))].slice(0, MAX_HIDDEN);
    await this._state.update(HIDDEN_KEY, hidden);
    await this._delete([...ids]);
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
    await this._state.update(unconfirmedStateKey(key, baseUrl), { key, baseUrl, externalTaskId, at: now });
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
    if (this._state.get<unknown>(k) !== undefined) {
      await this._state.update(k, undefined);
    }
  }

  private async _put(entry: HistoryEntry): Promise<void> {
    await this._state.update(ENTRY_PREFIX + entry.taskId, entry);
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
      if (this._state.get<unknown>(ENTRY_PREFIX + id) !== undefined) {
        await this._state.update(ENTRY_PREFIX + id, undefined);
      }
    }
    if (fire) {
      this._onDidChange.fire();
    }
  }

  /** Moves the v1 arrays to one key per entry (entries already there win: they are newer). Synchronous reads. */
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
  }
}

/** The state key of the unconfirmed create of one voice on one service. */
function unconfirmedStateKey(key: string, baseUrl: string): string {
  return UNCONFIRMED_PREFIX + createHash('sha256').update(`${baseUrl}\n${key}`).digest('hex').slice(0, 32);
}
