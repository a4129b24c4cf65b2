import * as vscode from 'vscode';
import { KeyStore } from '../service/keyStore';
import type { HistoryEntry } from '../history/taskHistory';
import { type TaskSource, validSource } from '../history/source';
import { Voice, VoiceTask, isKlingError, isMissingEndpoint } from '../kling';
import { VoiceService } from '../service/voiceService';
import { SETTINGS } from '../ids';
import { Disposable } from '../dispose';
import { VoiceNotesStore } from './voiceNotesStore';
import type { ConsentRecord } from '../shared/consent';
import { isGoneVoice, type AccountSnapshot } from '../shared/goneVoice';
import type { SampleOrigin } from '../trialPlayer/samplePlan';

/** One row of "My Voices": a task from the account list, a local history entry, or both merged. */
export interface LibraryItem {
  taskId: string;
  status: VoiceTask['status'];
  voiceName: string;
  statusMessage?: string;
  voice?: Voice;
  createdAt?: number;
  /** Where the sample came from, when this machine created the task (checked, from the history). */
  source?: TaskSource;
  /** True when only known locally (in flight, failed, or not in the account list). */
  localOnly: boolean;
  /** A voice of ours that a later successful account list no longer holds (deleted elsewhere): see goneVoice.ts. */
  gone?: boolean;
}

export type LoadState<T> =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'nokey' }
  /** `requestedAt`: local ms when the list was asked for (a voice that ended later may be missing from it). */
  | { kind: 'loaded'; items: T; requestedAt?: number }
  /** The service has no such list (it answered 404, 1202 or 1203): not an error; `message` is its answer. */
  | { kind: 'unsupported'; message: string }
  | { kind: 'error'; message: string };

/** A state that will not change without a refresh (anything but idle and loading). */
export function isSettled(state: LoadState<unknown>): boolean {
  return state.kind !== 'idle' && state.kind !== 'loading';
}

function failed<T>(e: unknown): LoadState<T> {
  if (isKlingError(e) && e.kind === 'noApiKey') {
    return { kind: 'nokey' };
  }
  const message = e instanceof Error ? e.message : String(e);
  // Many proxies do not route the list of custom voices: then there is no list, not an error.
  return isMissingEndpoint(e) ? { kind: 'unsupported', message } : { kind: 'error', message };
}

/**
 * The account's voices and the preset voices, loaded on demand through the service and cached,
 * merged with the local task history. Views, the hover and the pickers all read from here.
 */
export class VoiceLibrary extends Disposable implements vscode.Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private _account: LoadState<VoiceTask[]> = { kind: 'idle' };
  private _presets: LoadState<Voice[]> = { kind: 'idle' };
  /** Local notes and tags, beside the history in globalState. */
  readonly notes: VoiceNotesStore;

  constructor(
    private readonly _service: VoiceService,
    private readonly _keys: KeyStore,
  ) {
    super();
    this.notes = this._register(new VoiceNotesStore(_service.history.memento));
    this._register(this.notes.onDidChange(() => this._onDidChange.fire()));
    this._register(_service.consent.onDidChange(() => this._onDidChange.fire()));
    this._register(_service.history.onDidChange(() => this._onDidChange.fire()));
    this._register(
      _service.onDidChangeVoices(() => {
        // A service without a list would only answer 404 again; the history already has the change.
        if (this._account.kind !== 'idle' && this._account.kind !== 'unsupported') {
          void this.refreshAccount();
        }
      }),
    );
    this._register(_keys.onDidChange(() => this._reset()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SETTINGS.apiBaseUrl)) {
          this._reset();
        }
      }),
    );
  }

  /** Another key or service: what was loaded no longer applies. */
  private _reset(): void {
    this._account = { kind: 'idle' };
    this._presets = { kind: 'idle' };
    this._onDidChange.fire();
  }

  get accountState(): LoadState<VoiceTask[]> {
    return this._account;
  }

  get presetState(): LoadState<Voice[]> {
    return this._presets;
  }

  /** Loads the account list (every page). Concurrent calls share one request. */
  private _accountLoad?: Promise<void>;
  refreshAccount(): Promise<void> {
    this._accountLoad ??= (async () => {
      this._account = { kind: 'loading' };
      this._onDidChange.fire();
      try {
        const requestedAt = Date.now();
        this._account = { kind: 'loaded', items: await this._service.listCustomVoices(), requestedAt };
      } catch (e) {
        this._account = failed(e);
      } finally {
        this._accountLoad = undefined;
        this._onDidChange.fire();
      }
    })();
    return this._accountLoad;
  }

  private _presetLoad?: Promise<void>;
  refreshPresets(): Promise<void> {
    this._presetLoad ??= (async () => {
      this._presets = { kind: 'loading' };
      this._onDidChange.fire();
      try {
        this._presets = { kind: 'loaded', items: await this._service.listPresetVoices() };
      } catch (e) {
        this._presets = failed(e);
      } finally {
        this._presetLoad = undefined;
        this._onDidChange.fire();
      }
    })();
    return this._presetLoad;
  }

  /** Account tasks merged with local history: newest first, in-flight and failed local tasks included. */
  items(): LibraryItem[] {
    const out = new Map<string, LibraryItem>();
    const account = this._account.kind === 'loaded' ? this._account.items : [];
    for (const t of account) {
      out.set(t.taskId, {
        taskId: t.taskId,
        status: t.status,
        voiceName: t.voices[0]?.voiceName ?? '',
        statusMessage: t.statusMessage,
        voice: t.voices[0],
        createdAt: t.createdAt,
        localOnly: false,
      });
    }
    const baseUrl = this._service.currentBaseUrl() ?? '';
    const snapshot = this._accountSnapshot();
    const presetIds = new Set(this._presets.kind === 'loaded' ? this._presets.items.map((v) => v.voiceId) : []);
    for (const h of this._service.history.forService(baseUrl)) {
      const known = out.get(h.taskId);
      if (known) {
        known.voiceName ||= h.voiceName;
        known.source ??= validSource(h.source);
        continue;
      }
      // A voice of ours missing from a later successful account list has gone (deleted elsewhere): shown, marked.
      out.set(h.taskId, { ...fromHistory(h), gone: isGoneVoice(h, snapshot, presetIds) || undefined });
    }
    // Tasks the user removed from the list stay out (a live voice is never hidden: it is deleted instead).
    const hidden = this._service.history.hidden();
    return [...out.values()]
      .filter((i) => !(hidden.has(i.taskId) && !(i.status === 'succeed' && i.voice && !i.gone)))
      .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0));
  }

  /** The loaded account list's ids, or undefined when no list was loaded successfully. */
  private _accountSnapshot(): AccountSnapshot | undefined {
    const state = this._account;
    if (state.kind !== 'loaded') {
      return undefined;
    }
    return {
      taskIds: new Set(state.items.map((t) => t.taskId)),
      voiceIds: new Set(state.items.flatMap((t) => t.voices.map((v) => v.voiceId))),
      requestedAt: state.requestedAt ?? 0,
    };
  }

  /** Whether this voice has gone: ours, succeeded, and no longer in the account (never a preset, never unknown). */
  isGone(voiceId: string): boolean {
    return this.items().some((i) => i.gone && i.voice?.voiceId === voiceId);
  }

  /** Where a voice's sample came from (its task's recorded source), or that it is a preset: for the A/B listen. */
  sampleOrigin(voice: Voice): SampleOrigin {
    const item = this.items().find((i) => i.voice?.voiceId === voice.voiceId);
    const preset =
      !item &&
      (voice.ownedBy === 'kling' ||
        (this._presets.kind === 'loaded' && this._presets.items.some((v) => v.voiceId === voice.voiceId)));
    return { source: item?.source, preset };
  }

  /** The speaker's consent recorded when this machine created the task. */
  consentFor(taskId: string): ConsentRecord | undefined {
    return this._service.consent.forTask(taskId);
  }

  /** An imported consent record (a team's notes export), kept for its task unless this machine has one. */
  importConsent(record: ConsentRecord): Promise<boolean> {
    return this._service.consent.importRecord(record);
  }

  /** Finds a voice by id among the account, the history and the presets (cache only, no request). */
  findVoice(voiceId: string): Voice | undefined {
    for (const i of this.items()) {
      if (i.voice?.voiceId === voiceId) {
        return i.voice;
      }
    }
    return this._presets.kind === 'loaded' ? this._presets.items.find((v) => v.voiceId === voiceId) : undefined;
  }

  /** Loads both lists once, in the background, when a key is set and nothing was loaded yet. */
  async warmUp(): Promise<void> {
    if (!(await this._keys.get())) {
      return;
    }
    const work: Promise<void>[] = [];
    if (this._account.kind === 'idle') {
      work.push(this.refreshAccount());
    }
    if (this._presets.kind === 'idle') {
      work.push(this.refreshPresets());
    }
    await Promise.all(work);
  }
}

function fromHistory(h: HistoryEntry): LibraryItem {
  return {
    taskId: h.taskId,
    status: h.status,
    voiceName: h.voiceName,
    statusMessage: h.statusMessage,
    voice: h.voices[0],
    createdAt: h.createdAt,
    source: validSource(h.source),
    localOnly: true,
  };
}
