import { randomUUID } from 'crypto';
import { parseEnvelope, parseTask, parseTaskList } from './envelope';
import { KlingError, isKlingError } from './errors';
import { DEFAULT_RETRY, RetryPolicy, backoffDelay, cancelledError, sleep } from './retry';
import { CreateVoiceInput, PATHS, Voice, VoiceTask, isTerminal } from './types';
import { toCreateBody, validateCreateInput } from './validation';

/** The subset of node-fetch v2 / WHATWG fetch the client uses; injected so tests and hosts can substitute it. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string>; headers: { get(name: string): string | null } }>;

/** Where the client writes its request log. Matches VS Code's LogOutputChannel. */
export interface ClientLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export interface KlingClientOptions {
  /** e.g. `https://api.chainhub.tech/kling` or `https://api-singapore.klingai.com`; paths are appended. */
  baseUrl: string;
  /** Returns the API key; called per request so a changed key takes effect at once. */
  getApiKey: () => Promise<string | undefined> | string | undefined;
  fetch: FetchLike;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  logger?: ClientLogger;
  /** For tests: replaces Math.random in the backoff jitter. */
  random?: () => number;
  /** Page size for list calls, 1–500 (default 500, the largest every copy of the docs allows). */
  pageSize?: number;
}

export interface WaitOptions {
  /** First poll interval; later ones grow by half each time up to `maxIntervalMs`. Default 3000. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** Give up after this long (the task may still finish later). Default 10 min. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onUpdate?: (task: VoiceTask) => void;
}

export interface CreateOptions {
  signal?: AbortSignal;
  /** Called with the external task id before the first request, so it can be recorded. */
  onExternalId?: (externalTaskId: string) => void;
}

interface RequestOptions {
  signal?: AbortSignal;
  /** Retry on retryable errors (reads only). */
  retry: boolean;
  body?: unknown;
  query?: Record<string, string | number>;
}

/** Kling custom-voice API client. Plain Node: no VS Code dependency. */
export class KlingClient {
  private readonly _baseUrl: string;
  private readonly _timeoutMs: number;
  private readonly _retry: RetryPolicy;
  private readonly _random: () => number;

  constructor(private readonly _options: KlingClientOptions) {
    this._baseUrl = normalizeBaseUrl(_options.baseUrl);
    this._timeoutMs = _options.timeoutMs ?? 30_000;
    this._retry = { ...DEFAULT_RETRY, ..._options.retry };
    this._random = _options.random ?? Math.random;
  }

  get baseUrl(): string {
    return this._baseUrl;
  }

  /**
   * Creates a voice task, at most once per call even when the network fails.
   * An `external_task_id` is always sent (generated when not given). After an ambiguous failure
   * (timeout, dropped connection, 5xx) the task is looked up by that id before any new attempt,
   * so a single call never creates, and never bills, two tasks.
   */
  async createVoice(input: CreateVoiceInput, options: CreateOptions = {}): Promise<VoiceTask> {
    const { errors } = validateCreateInput(input);
    if (errors.length) {
      throw new KlingError({ kind: 'invalidInput', message: errors.map((e) => e.message).join(' ') });
    }
    const externalTaskId = input.externalTaskId || newExternalTaskId();
    options.onExternalId?.(externalTaskId);
    const body = toCreateBody(input, externalTaskId);
    const { signal } = options;

    for (let attempt = 1; ; attempt++) {
      try {
        const env = await this._request('POST', PATHS.customVoices, { signal, retry: false, body });
        try {
          return parseTask(env.data, env.requestId);
        } catch (e) {
          // A success code without a readable task: it may exist. Look before going on.
          const found = await this._lookupAfterAmbiguous(externalTaskId, e, signal);
          if (found) {
            return found;
          }
          throw e;
        }
      } catch (e) {
        if (!isKlingError(e) || e.kind === 'cancelled') {
          throw e;
        }
        if (e.kind === 'api' && (e.code === 1302 || e.code === 1303)) {
          // Rate or concurrency limit: the service says no task was created, so a retry is safe.
          if (attempt >= this._retry.maxAttempts) {
            throw e;
          }
          await this._backoff(attempt, e, signal);
          continue;
        }
        if (e.kind === 'api' && e.code === 1201 && /external/i.test(e.serverMessage ?? '') && attempt > 1) {
          // Our own earlier attempt created it after all.
          const found = await this._findByExternalId(externalTaskId, signal);
          if (found) {
            return found;
          }
          throw e;
        }
        if (!isAmbiguous(e)) {
          throw e;
        }
        const found = await this._lookupAfterAmbiguous(externalTaskId, e, signal);
        if (found) {
          this._options.logger?.info(`create: found task ${found.taskId} by external_task_id ${externalTaskId} after ${e.kind}`);
          return found;
        }
        if (attempt >= this._retry.maxAttempts) {
          throw e;
        }
        await this._backoff(attempt, e, signal);
      }
    }
  }

  /** Gets one task by its task id (not the voice id). */
  async getTask(taskId: string, signal?: AbortSignal): Promise<VoiceTask> {
    const id = String(taskId ?? '').trim();
    if (!id || /[\s/?#]/.test(id)) {
      throw new KlingError({ kind: 'invalidInput', message: 'Enter a task id (the id returned when the voice was created, not the voice id).' });
    }
    const env = await this._request('GET', `${PATHS.customVoices}/${encodeURIComponent(id)}`, { signal, retry: true });
    return parseTask(env.data, env.requestId);
  }

  /**
   * Finds a task by the external id we sent. Tries the query form first, then scans the list,
   * because the documented lookup format is uncertain (kling-api.md §1.2).
   * Returns undefined when the task certainly does not exist; throws when that cannot be known.
   */
  async findTaskByExternalId(externalTaskId: string, signal?: AbortSignal): Promise<VoiceTask | undefined> {
    return this._findByExternalId(externalTaskId, signal);
  }

  /** Lists the account's own voice tasks, every page (pageSize 500, stops on a short page). */
  async listCustomVoices(signal?: AbortSignal): Promise<VoiceTask[]> {
    return this._listAll(PATHS.customVoices, signal);
  }

  /** Lists the official preset voices, every page. */
  async listPresetVoices(signal?: AbortSignal): Promise<Voice[]> {
    const tasks = await this._listAll(PATHS.presetVoices, signal);
    const seen = new Set<string>();
    const voices: Voice[] = [];
    for (const t of tasks) {
      for (const v of t.voices) {
        if (!seen.has(v.voiceId)) {
          seen.add(v.voiceId);
          voices.push(v);
        }
      }
    }
    return voices;
  }

  /** Deletes a custom voice by its voice id. Deletion is not retried: the user asks again if it fails. */
  async deleteVoice(voiceId: string, signal?: AbortSignal): Promise<void> {
    const id = String(voiceId ?? '').trim();
    if (!id) {
      throw new KlingError({ kind: 'invalidInput', message: 'Enter the voice id to delete.' });
    }
    await this._request('POST', PATHS.deleteVoices, { signal, retry: false, body: { voice_id: id } });
  }

  /** Polls a task until it succeeds or fails, with a growing interval and an overall timeout. */
  async waitForTask(taskId: string, options: WaitOptions = {}): Promise<VoiceTask> {
    const interval0 = Math.max(50, options.intervalMs ?? 3000);
    const maxInterval = Math.max(interval0, options.maxIntervalMs ?? Math.max(interval0, 15_000));
    const timeoutMs = options.timeoutMs ?? 10 * 60_000;
    const deadline = Date.now() + timeoutMs;
    let interval = interval0;
    let last: VoiceTask | undefined;
    for (;;) {
      if (options.signal?.aborted) {
        throw cancelledError();
      }
      last = await this.getTask(taskId, options.signal);
      options.onUpdate?.(last);
      if (isTerminal(last.status)) {
        return last;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        const minutes = Math.round((timeoutMs / 60_000) * 10) / 10;
        throw new KlingError({
          kind: 'taskTimeout',
          taskId,
          message: `Task ${taskId} is still ${last.status} after ${minutes} min. It may finish later: use 'Kling Voice: Check Task…' with this id, or raise klingVoice.taskTimeoutMinutes.`,
        });
      }
      await sleep(Math.min(interval, remaining), options.signal);
      interval = Math.min(maxInterval, Math.round(interval * 1.5));
    }
  }

  private async _lookupAfterAmbiguous(externalTaskId: string, cause: unknown, signal?: AbortSignal): Promise<VoiceTask | undefined> {
    try {
      return await this._findByExternalId(externalTaskId, signal);
    } catch (lookupError) {
      if (isKlingError(lookupError) && lookupError.kind === 'cancelled') {
        throw lookupError;
      }
      const reason = isKlingError(cause) ? cause.message : String(cause);
      throw new KlingError({
        kind: 'ambiguous',
        message: `The create request may have reached Kling (${reason.replace(/\.$/, '')}), and the task could not be looked up. To avoid paying twice, nothing was sent again: check My Voices or run 'Kling Voice: Check Task…' for external task id ${externalTaskId} before retrying.`,
        cause,
      });
    }
  }

  private async _findByExternalId(externalTaskId: string, signal?: AbortSignal): Promise<VoiceTask | undefined> {
    let queryError: unknown;
    try {
      const env = await this._request('GET', PATHS.customVoices, {
        signal,
        retry: true,
        query: { external_task_id: externalTaskId },
      });
      if (Array.isArray(env.data)) {
        const match = parseTaskList(env.data, env.requestId).tasks.find((t) => t.externalTaskId === externalTaskId);
        if (match) {
          return match;
        }
      } else if (env.data !== undefined && env.data !== null) {
        const task = parseTask(env.data, env.requestId);
        if (!task.externalTaskId || task.externalTaskId === externalTaskId) {
          return task;
        }
      }
    } catch (e) {
      if (isKlingError(e) && e.kind === 'cancelled') {
        throw e;
      }
      queryError = e;
    }
    try {
      const all = await this._listAll(PATHS.customVoices, signal);
      return all.find((t) => t.externalTaskId === externalTaskId);
    } catch (e) {
      // The list may be missing on a proxy; a definite "not found" from the query form still counts.
      if (isKlingError(queryError) && queryError.kind === 'api' && queryError.code === 1201) {
        return undefined;
      }
      throw e;
    }
  }

  private async _listAll(path: string, signal?: AbortSignal): Promise<VoiceTask[]> {
    const pageSize = Math.min(500, Math.max(1, Math.floor(this._options.pageSize ?? 500)));
    const out: VoiceTask[] = [];
    const seen = new Set<string>();
    for (let pageNum = 1; pageNum <= 1000; pageNum++) {
      const env = await this._request('GET', path, { signal, retry: true, query: { pageNum, pageSize } });
      const page = parseTaskList(env.data, env.requestId);
      if (page.skipped) {
        this._options.logger?.warn(`${path}: skipped ${page.skipped} malformed item(s) on page ${pageNum}`);
      }
      for (const t of page.tasks) {
        if (!seen.has(t.taskId)) {
          seen.add(t.taskId);
          out.push(t);
        }
      }
      if (page.size < pageSize) {
        break;
      }
    }
    return out;
  }

  private async _backoff(attempt: number, e: KlingError, signal?: AbortSignal): Promise<void> {
    const delay = backoffDelay(attempt, this._retry, this._random, e.code);
    this._options.logger?.warn(`retrying in ${delay} ms after ${e.kind}${e.code ? ` code ${e.code}` : ''}${e.status ? ` HTTP ${e.status}` : ''}`);
    await sleep(delay, signal);
  }

  private async _request(method: 'GET' | 'POST', path: string, opts: RequestOptions): Promise<{ data: unknown; requestId?: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this._once(method, path, opts);
      } catch (e) {
        if (!opts.retry || !isKlingError(e) || !e.retryable || attempt >= this._retry.maxAttempts) {
          throw e;
        }
        await this._backoff(attempt, e, opts.signal);
      }
    }
  }

  private async _once(method: 'GET' | 'POST', path: string, opts: RequestOptions): Promise<{ data: unknown; requestId?: string }> {
    if (opts.signal?.aborted) {
      throw cancelledError();
    }
    const key = (await this._options.getApiKey())?.trim();
    if (!key) {
      throw new KlingError({ kind: 'noApiKey', message: "No API key is set. Run 'Kling Voice: Set API Key'." });
    }
    const query = opts.query
      ? '?' + Object.entries(opts.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')
      : '';
    const url = this._baseUrl + path + query;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${key}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this._timeoutMs);
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const started = Date.now();
    const logPath = path + query;
    const log = this._options.logger;
    try {
      let status: number;
      let text: string;
      try {
        const res = await this._options.fetch(url, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: controller.signal,
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        const ms = Date.now() - started;
        if (opts.signal?.aborted) {
          log?.info(`${method} ${logPath} cancelled after ${ms} ms`);
          throw cancelledError();
        }
        if (timedOut) {
          log?.warn(`${method} ${logPath} timed out after ${ms} ms`);
          throw new KlingError({
            kind: 'timeout',
            retryable: true,
            message: `No answer from ${hostOf(this._baseUrl)} within ${Math.round(this._timeoutMs / 1000)} s. Check the network, or raise klingVoice.requestTimeoutSeconds.`,
          });
        }
        const detail = redact(e instanceof Error ? e.message : String(e), key);
        log?.warn(`${method} ${logPath} failed after ${ms} ms: ${detail}`);
        throw new KlingError({
          kind: 'network',
          retryable: true,
          message: `Could not reach ${hostOf(this._baseUrl)} (${detail}). Check the network and klingVoice.apiBaseUrl.`,
          cause: e,
        });
      }
      const ms = Date.now() - started;
      try {
        const env = parseEnvelope(status, text);
        const taskId = taskIdOf(env.data);
        log?.info(`${method} ${logPath} → ${status} in ${ms} ms${env.requestId ? ` request_id=${env.requestId}` : ''}${taskId ? ` task_id=${taskId}` : ''}`);
        return env;
      } catch (e) {
        if (isKlingError(e)) {
          log?.warn(`${method} ${logPath} → ${status} in ${ms} ms${e.requestId ? ` request_id=${e.requestId}` : ''}${e.code !== undefined ? ` code=${e.code}` : ''} ${redact(e.serverMessage ?? e.kind, key)}`);
          if (e.message.includes(key)) {
            throw new KlingError({ ...e, kind: e.kind, message: redact(e.message, key) });
          }
        }
        throw e;
      }
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Errors after which a create may or may not have happened. */
function isAmbiguous(e: KlingError): boolean {
  switch (e.kind) {
    case 'timeout':
    case 'network':
    case 'badResponse':
      return true;
    case 'http':
      return (e.status ?? 0) >= 500 || (e.status ?? 0) === 200;
    case 'api':
      return e.code === 5000 || e.code === 5001 || e.code === 5002 || (e.status ?? 0) >= 500;
    default:
      return false;
  }
}

function taskIdOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const id = (data as Record<string, unknown>).task_id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** Removes a secret from text that may be shown or logged. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret || secret.length < 4) {
    return text;
  }
  return text.split(secret).join('***');
}

/** A fresh, unique external task id: `vsc-` + a UUID without dashes (36 characters). */
export function newExternalTaskId(): string {
  return `vsc-${randomUUID().replace(/-/g, '')}`;
}

/** Trims whitespace and trailing slashes; rejects anything that is not an http(s) URL. */
export function normalizeBaseUrl(raw: string): string {
  const v = (raw ?? '').trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new KlingError({ kind: 'invalidInput', message: `klingVoice.apiBaseUrl "${v}" is not a valid URL. Set it to e.g. https://api.chainhub.tech/kling.` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KlingError({ kind: 'invalidInput', message: `klingVoice.apiBaseUrl must be an http(s) URL (got ${url.protocol}).` });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new KlingError({ kind: 'invalidInput', message: 'klingVoice.apiBaseUrl must not contain credentials, a query or a fragment.' });
  }
  return v;
}
