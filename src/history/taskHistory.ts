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

const STATE_KEY = STATE_KEYS.taskHistory;
const MAX_ENTRIES = 500;
const UNCONFIRMED_KEY = STATE_KEYS.unconfirmedCreates;
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

/** Task history in globalState: recorded on submit, updated as the task runs, resumed after a restart. */
export class TaskHistory extends Disposable implements vscode.Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly _state: vscode.Memento) {
    super();
  }

  all(): HistoryEntry[] {
    const raw = this._state.get<unknown>(STATE_KEY, []);
    return Array.isArray(raw) ? raw.filter(isEntry) : [];
  }

  get(taskId: string): HistoryEntry | undefined {
    return this.all().find((e) => e.taskId === taskId);
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
    const entries = this.all();
    const e = entries.find((x) => x.taskId === taskId);
    if (!e) {
      return;
    }
    e.status = 'failed';
    e.statusMessage = reason;
    e.updatedAt = Date.now();
    await this._save(entries);
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
    const entries = this.all();
    const i = entries.findIndex((e) => e.taskId === task.taskId);
    const prev = i >= 0 ? entries[i] : undefined;
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
    if (i >= 0) {
      entries[i] = entry;
    } else {
      entries.unshift(entry);
    }
    await this._save(entries);
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
    await this._save(this.all().filter((e) => !ids.has(e.taskId)));
  }

  async remove(taskId: string): Promise<void> {
    await this._save(this.all().filter((e) => e.taskId !== taskId));
  }

  /** Forgets a deleted voice: its task stays out of the library. */
  async removeVoice(voiceId: string): Promise<void> {
    await this._save(this.all().filter((e) => !e.voices.some((v) => v.voiceId === voiceId)));
  }

  async clear(): Promise<void> {
    await this._save([]);
  }

  /** The external id of an unconfirmed create of the same voice on this service (recent ones only). */
  unconfirmed(key: string, baseUrl: string, now = Date.now()): string | undefined {
    return this._unconfirmedList(now).find((u) => u.key === key && u.baseUrl === baseUrl)?.externalTaskId;
  }

  async rememberUnconfirmed(key: string, baseUrl: string, externalTaskId: string): Promise<void> {
    const now = Date.now();
    const rest = this._unconfirmedList(now).filter((u) => !(u.key === key && u.baseUrl === baseUrl));
    await this._state.update(UNCONFIRMED_KEY, [{ key, baseUrl, externalTaskId, at: now }, ...rest].slice(0, 50));
  }

  async forgetUnconfirmed(key: string, baseUrl: string): Promise<void> {
    const list = this._unconfirmedList(Date.now());
    const rest = list.filter((u) => !(u.key === key && u.baseUrl === baseUrl));
    if (rest.length !== list.length) {
      await this._state.update(UNCONFIRMED_KEY, rest);
    }
  }

  private _unconfirmedList(now: number): Unconfirmed[] {
    const raw = this._state.get<unknown>(UNCONFIRMED_KEY, []);
    return Array.isArray(raw) ? raw.filter(isUnconfirmed).filter((u) => now - u.at < UNCONFIRMED_TTL_MS) : [];
  }

  private async _save(entries: HistoryEntry[]): Promise<void> {
    await this._state.update(STATE_KEY, entries.slice(0, MAX_ENTRIES));
    this._onDidChange.fire();
  }
}
