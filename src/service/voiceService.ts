import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { readSettings } from '../config';
import { KeyStore } from './keyStore';
import { TaskHistory } from '../history/taskHistory';
import type { TaskSource } from '../history/source';
import { unconfirmedKey } from '../history/unconfirmedKey';
import { joinSending, type Following, type Sending } from './sharing';
import { LEASE_RENEW_MS } from '../history/lease';
import { Disposable } from '../dispose';
import { ConsentGate, type ConsentGiven } from './consentGate';
import { remoteSample, type ConsentRecord, type ConsentSample } from '../shared/consent';
import {
  CreateVoiceInput,
  FetchLike,
  KlingClient,
  KlingError,
  Voice,
  VoiceTask,
  isKlingError,
  isTaskUnknownOrNotRouted,
  mayHaveCreated,
  normalizeBaseUrl,
  validateCreateInput,
  ambiguousRetryAdvice,
  voiceLimitMessage,
  isVoiceLimit,
} from '../kling';

export interface CreateRunOptions {
  signal?: AbortSignal;
  /** Wait for the task to end (default true). */
  wait?: boolean;
  onSubmitted?: (task: VoiceTask) => void;
  onUpdate?: (task: VoiceTask) => void;
  /**
   * Called with the external_task_id of the create before it is sent (also when joining the same request sent by
   * another caller). A create that ends without it was never sent.
   */
  onExternalId?: (externalTaskId: string) => void;
  /**
   * Where the sample came from when that is not the voice_url sent (an uploaded local file), for the history and
   * for recognising a create of the same voice after an unconfirmed one (see unconfirmedKey).
   */
  source?: TaskSource;
  /**
   * With a `source` of kind 'file': what was sent of the file (size and hash of the bytes, trimmed window), so another
   * take or window of the same file is not mistaken for a retry of an earlier, unconfirmed create.
   */
  sampleFingerprint?: string;
  /** With a `source` of kind 'file': the SHA-256 of the bytes sent, which the speaker's consent is recorded for. */
  sampleSha256?: string;
  /** The speaker's consent, stated by the caller (the API, an agent tool's confirmation); otherwise it is asked. */
  consent?: ConsentGiven;
}

/**
 * The one path from VS Code to the Kling API: builds a client from the current settings
 * for every operation, so a changed base URL, timeout or key applies at once.
 */
export class VoiceService extends Disposable implements vscode.Disposable {
  private readonly _onDidChangeVoices = this._register(new vscode.EventEmitter<void>());
  /** Fires when the account's voices changed: a task ended or a voice was deleted. */
  readonly onDidChangeVoices = this._onDidChangeVoices.event;
  /** One polling loop per task, shared by everyone following it. */
  private readonly _following = new Map<string, Following>();
  /** Creates being sent (until Kling answered), by everything that makes the request: identical ones join. */
  private readonly _sending = new Map<string, Sending>();
  /** Every create or follow-up in flight, so they can be cancelled together. */
  private readonly _running = new Set<AbortController>();
  /** Date.now() when Kling answered a create of ours, by task id: the poll schedule counts from it. */
  private readonly _answeredAt = new Map<string, number>();

  constructor(
    private readonly _keys: KeyStore,
    private readonly _log: vscode.LogOutputChannel,
    private readonly _fetch: FetchLike,
    private readonly _history: TaskHistory,
    /** The speaker's consent, asked once per sample: every create passes through it before anything is sent. */
    readonly consent: ConsentGate = new ConsentGate(_history.memento),
  ) {
    super();
  }

  get history(): TaskHistory {
    return this._history;
  }

  /** The host of the configured base URL (recorded with a consent), or undefined. */
  serviceHost(): string | undefined {
    const base = this.currentBaseUrl();
    return base ? new URL(base).host : undefined;
  }

  /** Whether a key is stored: checked before anything else leaves the machine (e.g. an upload). */
  async hasApiKey(): Promise<boolean> {
    return !!(await this._keys.get());
  }

  /** The base URL requests go to now (normalised), or undefined when the setting is not a valid URL. */
  currentBaseUrl(): string | undefined {
    try {
      return this._client().baseUrl;
    } catch {
      return undefined;
    }
  }

  /**
   * A client bound to the base URL configured now. It reads the key before every request, so each request
   * first checks that the setting still names the same address: a task followed (or a list loaded) when the
   * user switched to another service must not send the new service's key to the old one. Such a request
   * stops as cancelled instead.
   */
  private _client(): KlingClient {
    const s = readSettings();
    const client: KlingClient = new KlingClient({
      baseUrl: s.apiBaseUrl,
      getApiKey: () => {
        const bound = client.baseUrl;
        if (configuredBaseUrl() !== bound) {
          throw new KlingError({
            kind: 'cancelled',
            message: l10n.t(
              'Stopped: klingVoice.apiBaseUrl changed while this was running, and your key goes only to the address now configured. Work on {0} continues when you switch back.',
              bound,
            ),
          });
        }
        return this._keys.get();
      },
      getSecrets: () => this._keys.uploadSecrets(),
      fetch: this._fetch,
      timeoutMs: s.requestTimeoutMs,
      logger: this._log,
    });
    return client;
  }

  /** Whether a polling loop follows this task now. */
  isFollowing(taskId: string): boolean {
    return this._following.has(taskId);
  }

  /** True once the extension host shut this service down (watchers stop then). */
  get stopped(): boolean {
    return this.isDisposed;
  }

  /** Number of creates and follow-ups in flight. */
  get runningCount(): number {
    return this._running.size;
  }

  /** Cancels every create and follow-up in flight (the tasks themselves go on at Kling). */
  cancelAll(): number {
    const n = this._running.size;
    for (const c of this._running) {
      c.abort();
    }
    return n;
  }

  /**
   * Creates a voice and (by default) follows it to its end. A user must never be billed twice for one voice:
   * when an earlier create of the same voice (same name and sample, on this service) ended without
   * knowing whether Kling got it, that request's task is looked up by its external_task_id first; when it
   * exists it is followed instead of creating a new one, and otherwise the new request reuses that id.
   */
  async createVoice(input: CreateVoiceInput, options: CreateRunOptions = {}): Promise<VoiceTask> {
    // First, before any field is read: callers (the API, commands with arguments) may pass anything.
    const { errors } = validateCreateInput(input);
    if (errors.length) {
      throw new KlingError({ kind: 'invalidInput', message: errors.map((e) => e.message).join(' ') });
    }
    const consent = await this._consent(input, options);
    return this._track(options.signal, async (signal) => {
      const client = this._client();
      // The very same request while one is being sent (a key held down on a keybinding, a command run twice by
      // another extension) joins it: one request, one task, one bill.
      const same = JSON.stringify([
        client.baseUrl,
        input.voiceName.trim(),
        input.voiceUrl ?? '',
        input.videoId ?? '',
        input.callbackUrl ?? '',
        input.externalTaskId ?? '',
      ]);
      let sending = this._sending.get(same);
      if (sending?.controller.signal.aborted) {
        sending = undefined; // its last caller just left: it is being abandoned, so this is a new request
      }
      if (sending) {
        this._log.info(`create "${input.voiceName}": the same request is already being sent; joining it`);
      } else {
        const listeners = new Set<(externalTaskId: string) => void>();
        let externalTaskId: string | undefined;
        const controller = new AbortController();
        const entry: Sending = {
          listeners,
          controller,
          callers: 0,
          get externalTaskId() {
            return externalTaskId;
          },
          // The client picks the external id (synchronously, before the first request) and tells everyone waiting.
          promise: this._send(
            client,
            input,
            unconfirmedKey(input, options.source, options.sampleFingerprint),
            controller.signal,
            (id) => {
              externalTaskId = id;
              listeners.forEach((l) => l(id));
            },
          ),
        };
        sending = entry;
        this._sending.set(same, entry);
        const done = () => {
          if (this._sending.get(same) === entry) {
            this._sending.delete(same);
          }
        };
        entry.promise.then(done, done);
      }
      if (options.onExternalId) {
        if (sending.externalTaskId) {
          options.onExternalId(sending.externalTaskId);
        } else {
          sending.listeners.add(options.onExternalId);
        }
      }
      const submitted = await joinSending(sending, signal);
      await this.consent.recordTask(submitted.taskId, consent, input.voiceName);
      return this._submitted(submitted, input, client.baseUrl, signal, options);
    });
  }

  /**
   * The speaker's consent for the sample of this create (asked once per sample, see ConsentGate). Throws 'cancelled'
   * when it is declined: nothing is sent.
   */
  private async _consent(input: CreateVoiceInput, options: CreateRunOptions): Promise<ConsentRecord> {
    const file = options.source?.kind === 'file' ? options.source : undefined;
    const sample: ConsentSample | undefined =
      file && options.sampleSha256
        ? { kind: 'file', sha256: options.sampleSha256, fileName: file.fileName }
        : remoteSample(input);
    const records = sample ? await this.consent.require([sample], options.consent, this.serviceHost()) : undefined;
    if (!records) {
      throw new KlingError({
        kind: 'cancelled',
        message: l10n.t("Not created: the speaker's consent was not confirmed. Nothing was sent."),
      });
    }
    if (options.signal?.aborted) {
      throw new KlingError({ kind: 'cancelled', message: 'Cancelled.' });
    }
    return records[0];
  }

  /** Sends one create, after looking up an earlier unconfirmed create of the same voice. */
  private async _send(
    client: KlingClient,
    input: CreateVoiceInput,
    key: string,
    signal: AbortSignal,
    onExternalId: (externalTaskId: string) => void,
  ): Promise<VoiceTask> {
    let request = input;
    const earlier = input.externalTaskId ? undefined : this._history.unconfirmed(key, client.baseUrl);
    if (earlier) {
      this._log.info(
        `create "${input.voiceName}": an earlier request (external_task_id ${earlier}) was never confirmed; looking it up first`,
      );
      const found = await client.findTaskByExternalId(earlier, signal);
      if (found) {
        this._log.info(
          `create "${input.voiceName}": Kling did get the earlier request: task ${found.taskId}; following it instead of creating again`,
        );
        await this._history.forgetUnconfirmed(key, client.baseUrl);
        return found;
      }
      request = { ...input, externalTaskId: earlier };
    }
    let externalTaskId: string | undefined;
    let submitted: VoiceTask;
    try {
      submitted = await client.createVoice(request, {
        signal,
        onExternalId: (id) => {
          externalTaskId = id;
          this._log.info(`create "${input.voiceName}" with external_task_id ${id}`);
          onExternalId(id);
        },
      });
    } catch (e) {
      if (isVoiceLimit(e) && isKlingError(e)) {
        e.message = `${voiceLimitMessage()} (${e.message})`;
      }
      if (externalTaskId && !input.externalTaskId && mayHaveCreated(e)) {
        await this._history.rememberUnconfirmed(key, client.baseUrl, externalTaskId);
        if (isKlingError(e) && e.kind === 'ambiguous') {
          e.message = e.message.replace(
            ambiguousRetryAdvice(),
            l10n.t(
              'or simply create the same voice again: the extension looks this request up first and does not send it twice.',
            ),
          );
        }
        this._log.warn(
          `create "${input.voiceName}": not confirmed; the next create of this voice looks up external_task_id ${externalTaskId} first`,
        );
      } else if (earlier) {
        // Refused: perhaps because the earlier request did create its task after all (found now, missed before),
        // and Kling will not take its external_task_id twice. Then that task is the answer, not a second one.
        const late = await client.findTaskByExternalId(earlier, signal).catch(() => undefined);
        await this._history.forgetUnconfirmed(key, client.baseUrl);
        if (late) {
          this._log.info(
            `create "${input.voiceName}": the earlier request did create task ${late.taskId}; following it`,
          );
          return late;
        }
      }
      throw e;
    }
    if (earlier) {
      await this._history.forgetUnconfirmed(key, client.baseUrl);
    }
    return submitted;
  }

  private async _submitted(
    submitted: VoiceTask,
    input: CreateVoiceInput,
    baseUrl: string,
    signal: AbortSignal,
    options: CreateRunOptions,
  ): Promise<VoiceTask> {
    this._log.info(`task ${submitted.taskId} ${submitted.status}`);
    this._answeredAt.set(submitted.taskId, Date.now());
    if (this._answeredAt.size > 200) {
      this._answeredAt.delete(this._answeredAt.keys().next().value as string);
    }
    await this._history.record(submitted, input, baseUrl, options.source);
    options.onSubmitted?.(submitted);
    if (submitted.status === 'succeed' || submitted.status === 'failed') {
      this._onDidChangeVoices.fire();
      return submitted;
    }
    // This window created the task: it follows it and announces its end (no other window knows it yet).
    await this._history.leases.renew(submitted.taskId);
    if (options.wait === false) {
      return submitted;
    }
    return this._join(submitted.taskId, signal, options.onUpdate);
  }

  waitForTask(taskId: string, options: Pick<CreateRunOptions, 'signal' | 'onUpdate'> = {}): Promise<VoiceTask> {
    return this._track(options.signal, (signal) => this._join(taskId, signal, options.onUpdate));
  }

  /**
   * Joins the one polling loop of a task, starting it if needed: a panel restored after a reload and the
   * resume at start-up follow the same task with one series of requests. The loop stops when every
   * caller has left (cancelled) or the task ended.
   */
  private _join(taskId: string, signal: AbortSignal, onUpdate?: (t: VoiceTask) => void): Promise<VoiceTask> {
    let f = this._following.get(taskId);
    // A loop whose last caller just left is stopping (its requests are being aborted): start a new one rather
    // than join it (e.g. the clean-up of a cancelled create's upload follows the task on).
    if (!f || f.controller.signal.aborted) {
      const controller = new AbortController();
      const listeners = new Set<(t: VoiceTask) => void>();
      // The lease says to other windows that this one follows the task (see resumeInFlightTasks): renewed while
      // following, given up at the end. A lease another window holds is left alone.
      const renew = () => void this._history.leases.renew(taskId);
      renew();
      const renewing = setInterval(renew, LEASE_RENEW_MS);
      const promise = this._wait(taskId, controller.signal, (t) => listeners.forEach((l) => l(t))).finally(() => {
        clearInterval(renewing);
        void this._history.leases.release(taskId);
        if (this._following.get(taskId)?.controller === controller) {
          this._following.delete(taskId);
        }
      });
      f = { controller, listeners, promise, callers: 0 };
      this._following.set(taskId, f);
    }
    const following = f;
    following.callers++;
    if (onUpdate) {
      following.listeners.add(onUpdate);
    }
    return new Promise<VoiceTask>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) {
          return;
        }
        left = true;
        signal.removeEventListener('abort', onAbort);
        if (onUpdate) {
          following.listeners.delete(onUpdate);
        }
        if (--following.callers === 0) {
          following.controller.abort();
        }
      };
      const onAbort = () => {
        leave();
        reject(new KlingError({ kind: 'cancelled', message: l10n.t('Cancelled.') }));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      following.promise.then(
        (task) => {
          leave();
          resolve(task);
        },
        (e: unknown) => {
          leave();
          reject(e);
        },
      );
    });
  }

  private _wait(taskId: string, signal: AbortSignal, onUpdate?: (t: VoiceTask) => void): Promise<VoiceTask> {
    const s = readSettings();
    let lastStatus = '';
    const known = () => this._history.get(taskId) !== undefined;
    return this._client().waitForTask(taskId, {
      intervalMs: s.pollIntervalMs,
      ...this._scheduleStart(taskId),
      timeoutMs: s.taskTimeoutMs,
      signal,
      onUpdate: (t) => {
        if (t.status !== lastStatus) {
          lastStatus = t.status;
          this._log.info(`task ${t.taskId} ${t.status}${t.statusMessage ? `: ${t.statusMessage}` : ''}`);
          if (known()) {
            void this._history.record(t);
          }
          if (t.status === 'succeed' || t.status === 'failed') {
            this._onDidChangeVoices.fire();
          }
        }
        onUpdate?.(t);
      },
    });
  }

  /**
   * Where the poll schedule of a task starts. A task created here in this window: at Kling's answer, and the first
   * check waits as the schedule says. Otherwise (followed again after a restart, or a panel restored): at its
   * creation in the history, but checked at once, since it may have ended meanwhile.
   */
  private _scheduleStart(taskId: string): { createdAt?: number; checkFirst?: boolean } {
    const answered = this._answeredAt.get(taskId);
    if (answered !== undefined) {
      return { createdAt: answered };
    }
    return { createdAt: this._history.get(taskId)?.createdAt, checkFirst: true };
  }

  /** Runs `fn` with a signal that aborts on the caller's signal or on cancelAll(). */
  private async _track<T>(outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (outer?.aborted) {
      controller.abort();
    }
    outer?.addEventListener('abort', onAbort, { once: true });
    this._running.add(controller);
    try {
      return await fn(controller.signal);
    } finally {
      this._running.delete(controller);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  override dispose(): void {
    this.cancelAll();
    super.dispose();
  }

  async getTask(taskId: string, signal?: AbortSignal): Promise<VoiceTask> {
    const task = await this._client().getTask(taskId, signal);
    if (this._history.get(task.taskId)) {
      await this._history.record(task);
    }
    return task;
  }

  /**
   * A task by its task id or, when the service does not know that id, by the external_task_id it was created with
   * (what an `ambiguous` create error gives the user to check later).
   */
  async checkTask(id: string, signal?: AbortSignal): Promise<VoiceTask> {
    try {
      return await this.getTask(id, signal);
    } catch (e) {
      if (!isTaskUnknownOrNotRouted(e)) {
        throw e;
      }
      let found: VoiceTask | undefined;
      try {
        found = await this._client().findTaskByExternalId(id, signal);
      } catch (lookupError) {
        if (isKlingError(lookupError) && lookupError.kind === 'cancelled') {
          throw lookupError;
        }
        this._log.warn(
          `check task: looking up ${id} as an external task id failed: ${lookupError instanceof Error ? lookupError.message : String(lookupError)}`,
        );
      }
      if (!found) {
        throw e;
      }
      this._log.info(`check task: ${id} is the external task id of task ${found.taskId}`);
      if (this._history.get(found.taskId)) {
        await this._history.record(found);
      }
      return found;
    }
  }

  /**
   * The task created with this external_task_id, undefined when the service certainly has none (yet); throws when
   * that cannot be known.
   */
  findTaskByExternalId(externalTaskId: string, signal?: AbortSignal): Promise<VoiceTask | undefined> {
    return this._track(signal, (s) => this._client().findTaskByExternalId(externalTaskId, s));
  }

  /**
   * The account's tasks, every page. A task the history still shows as running but the list shows as ended (no
   * one followed it to its end: cancelled, timed out, or another window) is brought up to date.
   */
  async listCustomVoices(signal?: AbortSignal): Promise<VoiceTask[]> {
    const tasks = await this._client().listCustomVoices(signal);
    const running = new Map(this._history.inFlight().map((e) => [e.taskId, e]));
    for (const t of tasks) {
      const known = running.get(t.taskId);
      if (known && known.status !== t.status) {
        this._log.info(`task ${t.taskId} is ${t.status} in the account list`);
        await this._history.record(t);
      }
    }
    return tasks;
  }

  listPresetVoices(signal?: AbortSignal): Promise<Voice[]> {
    return this._client().listPresetVoices(signal);
  }

  async deleteVoice(voiceId: string, signal?: AbortSignal): Promise<void> {
    await this._client().deleteVoice(voiceId, signal);
    this._log.info(`deleted voice ${voiceId}`);
    await this._history.removeVoice(voiceId);
    this._onDidChangeVoices.fire();
  }
}

/** The base URL the settings name now (normalised), or undefined when it is not a valid URL. */
function configuredBaseUrl(): string | undefined {
  try {
    return normalizeBaseUrl(readSettings().apiBaseUrl);
  } catch {
    return undefined;
  }
}
