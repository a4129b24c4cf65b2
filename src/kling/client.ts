import { randomUUID } from 'crypto';
import { Envelope, parseEnvelope, parseTask, parseTaskList } from './envelope';
import { KlingError, isKlingError } from './errors';
import { redactSecrets } from './redact';
import { DEFAULT_RETRY, RetryPolicy, backoffDelay, cancelledError, sleep } from './retry';
import { CreateVoiceInput, PATHS, Voice, VoiceTask, isTerminal } from './types';
import { toCreateBody, validateCreateInput } from './validation';

/**
 * The subset of node-fetch v2 / WHATWG fetch the client uses; injected so tests and hosts can substitute it.
 * The client always passes `redirect: 'manual'` and treats a 3xx as an error: a followed redirect could carry
 * the Authorization header to another address (node-fetch keeps it when only the port or path changes), and
 * would turn a create POST into a GET.
 */
export type FetchLike = (
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal?: AbortSignal;
    redirect?: 'manual' | 'error' | 'follow';
  },
) => Promise<FetchResponse>;

export interface FetchResponse {
  status: number;
  /** 'opaqueredirect' for a redirect in browser-style fetch with `redirect: 'manual'` (status 0). */
  type?: string;
  text(): Promise<string>;
  /** The body as chunks (a Node stream in node-fetch, a ReadableStream in WHATWG fetch); read with a size limit when present. */
  body?: unknown;
  headers: { get(name: string): string | null };
}

/** The most of a response body the client reads (a page of 500 tasks is a few hundred KB). */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
/** The most pages a list reads (500 tasks each, unless the server caps the page size). */
export const MAX_LIST_PAGES = 200;
/**
 * How many times a create is sent again after a request that got no answer at all (timeout, dropped connection,
 * 5000–5002, HTTP 5xx) AND a lookup by external_task_id that answered "no such task". One: the task may still be
 * created late by the first request (the service can process it after our timeout), and every further attempt
 * widens that window, so after one repeat the client says it cannot tell instead. A response that arrived (2xx)
 * but could not be read never leads to another POST.
 */
export const MAX_CREATE_REPEATS = 1;
/** The last words of an `ambiguous` create error; a caller that guards the retry itself may replace them. */
export const AMBIGUOUS_RETRY_ADVICE = 'create the voice again only if it is not there.';

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

interface RequestOptions<T> {
  signal?: AbortSignal;
  /** Retry on retryable errors (reads only). */
  retry: boolean;
  body?: unknown;
  query?: Record<string, string | number>;
  /** Reads the envelope's data; its errors get the response's status and have secrets removed like the others. */
  parse: (env: Envelope) => T;
}

/** What a create that may or may not have reached Kling ran into. */
type AmbiguousCase = 'answered' | 'noAnswer' | 'exists';

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
   * Creates a voice task, and never sends the create twice when it may have worked. An `external_task_id` is always
   * sent (generated when not given), and every attempt of one call sends the same one.
   * - 1302/1303 (rate or concurrency limit: no task was created): retried with backoff, up to `maxAttempts`.
   * - A response arrived (2xx) but cannot be read (no task in it, an echo of the request, not JSON): it may have
   *   been accepted. The task is looked up once by external_task_id; if it is not found, nothing is sent again and
   *   the call fails with an `ambiguous` error that gives the external_task_id.
   * - No answer (timeout, dropped connection, 5000–5002, HTTP 5xx): the task is looked up; only when the lookup
   *   answers "no such task" is the create sent again, at most MAX_CREATE_REPEATS time(s); then `ambiguous`.
   * - A lookup that cannot be done (its own requests fail) always ends in `ambiguous`.
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
    const log = this._options.logger;
    /** The first unanswered attempt: an earlier POST of this call may have created the task. */
    let unanswered: KlingError | undefined;
    let repeats = 0;

    for (let attempt = 1; ; attempt++) {
      let e: KlingError;
      try {
        return await this._request('POST', PATHS.customVoices, {
          signal,
          retry: false,
          body,
          parse: (env) => parseTask(env.data, env.requestId),
        });
      } catch (err) {
        if (!isKlingError(err) || err.kind === 'cancelled') {
          throw err;
        }
        e = err;
      }
      if (e.kind === 'api' && (e.code === 1302 || e.code === 1303)) {
        // Rate or concurrency limit: the service says this request created nothing, so a retry is safe.
        if (attempt < this._retry.maxAttempts) {
          await this._backoff(attempt, e, signal);
          continue;
        }
        if (!unanswered) {
          throw e;
        }
        return this._settle(externalTaskId, 'noAnswer', unanswered, signal);
      }
      if (answeredUnreadably(e)) {
        log?.warn(
          `create: the answer (HTTP ${e.status ?? '?'}) holds no readable task; looking up external_task_id ${externalTaskId}, not sending again`,
        );
        return this._settle(externalTaskId, 'answered', e, signal);
      }
      if (unanswered && e.kind === 'api' && e.code === 1201 && /external/i.test(e.serverMessage ?? '')) {
        // "external_task_id already exists": our own earlier, unanswered attempt created it after all.
        return this._settle(externalTaskId, 'exists', e, signal);
      }
      if (!gotNoAnswer(e)) {
        if (!unanswered) {
          throw e;
        }
        // This attempt was refused, but the earlier one may still have been accepted.
        return this._settle(externalTaskId, 'noAnswer', unanswered, signal);
      }
      unanswered ??= e;
      const found = await this._lookupAfterAmbiguous(externalTaskId, e, signal);
      if (found) {
        log?.info(`create: found task ${found.taskId} by external_task_id ${externalTaskId} after ${e.kind}`);
        return found;
      }
      if (repeats >= MAX_CREATE_REPEATS || attempt >= this._retry.maxAttempts) {
        throw this._ambiguous(externalTaskId, 'noAnswer', e);
      }
      repeats++;
      log?.warn(
        `create: no task with external_task_id ${externalTaskId} after ${e.kind}; sending the same create once more`,
      );
      await this._backoff(attempt, e, signal);
    }
  }

  /** Gets one task by its task id (not the voice id). */
  async getTask(taskId: string, signal?: AbortSignal): Promise<VoiceTask> {
    const id = String(taskId ?? '').trim();
    if (!id || /[\s/?#]/.test(id)) {
      throw new KlingError({
        kind: 'invalidInput',
        message: 'Enter a task id (the id returned when the voice was created, not the voice id).',
      });
    }
    return this._request('GET', `${PATHS.customVoices}/${encodeURIComponent(id)}`, {
      signal,
      retry: true,
      parse: (env) => parseTask(env.data, env.requestId),
    });
  }

  /**
   * Finds a task by the external id we sent. Tries the query form first, then scans the list,
   * because the documented lookup format is uncertain (kling-api.md §1.2).
   * Returns undefined when the task certainly does not exist; throws when that cannot be known.
   */
  async findTaskByExternalId(externalTaskId: string, signal?: AbortSignal): Promise<VoiceTask | undefined> {
    return this._findByExternalId(externalTaskId, signal);
  }

  /**
   * Lists the account's own voice tasks, every page: it stops on an empty page, a page that adds no new task,
   * or a page shorter than the ones before (MAX_LIST_PAGES at most).
   */
  async listCustomVoices(signal?: AbortSignal): Promise<VoiceTask[]> {
    return (await this._listAll(PATHS.customVoices, signal)).tasks;
  }

  /** Lists the official preset voices, every page. */
  async listPresetVoices(signal?: AbortSignal): Promise<Voice[]> {
    const { tasks } = await this._listAll(PATHS.presetVoices, signal);
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
    await this._request('POST', PATHS.deleteVoices, {
      signal,
      retry: false,
      body: { voice_id: id },
      parse: () => undefined,
    });
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

  /** Looks the task up once; returns it, or throws `ambiguous` saying why the outcome is unknown. */
  private async _settle(
    externalTaskId: string,
    why: AmbiguousCase,
    cause: KlingError,
    signal?: AbortSignal,
  ): Promise<VoiceTask> {
    const found = await this._lookupAfterAmbiguous(externalTaskId, cause, signal);
    if (found) {
      this._options.logger?.info(`create: found task ${found.taskId} by external_task_id ${externalTaskId}`);
      return found;
    }
    throw this._ambiguous(externalTaskId, why, cause);
  }

  private _ambiguous(externalTaskId: string, why: AmbiguousCase, cause: KlingError, lookupError?: unknown): KlingError {
    const reason = cause.message.replace(/\.$/, '');
    let what: string;
    if (lookupError !== undefined) {
      const lookup = isKlingError(lookupError) ? lookupError.message.replace(/\.$/, '') : 'unknown error';
      what = `The create request may have been accepted by Kling (${reason}), and the task could not be looked up (${lookup}).`;
    } else if (why === 'answered') {
      const first = cause.message.split(/\.(?:\s|$)/)[0];
      what = `The create request may have been accepted by Kling, but its answer${cause.status ? ` (HTTP ${cause.status})` : ''} could not be read: ${first.charAt(0).toLowerCase()}${first.slice(1)}. No task with external_task_id ${externalTaskId} was found.`;
    } else if (why === 'exists') {
      what = `The create request was accepted by Kling on an earlier attempt (it reports that external_task_id ${externalTaskId} already exists), but the task could not be found.`;
    } else {
      what = `The create request may have been accepted by Kling: it got no answer (${reason}), and no task with external_task_id ${externalTaskId} was found yet; Kling may still create it.`;
    }
    return new KlingError({
      kind: 'ambiguous',
      externalTaskId,
      message: `${what} To avoid paying twice, nothing more was sent. In a few minutes, check My Voices or run 'Kling Voice: Check Task…' with external task id ${externalTaskId}; ${AMBIGUOUS_RETRY_ADVICE}`,
      cause,
    });
  }

  private async _lookupAfterAmbiguous(
    externalTaskId: string,
    cause: KlingError,
    signal?: AbortSignal,
  ): Promise<VoiceTask | undefined> {
    try {
      return await this._findByExternalId(externalTaskId, signal);
    } catch (lookupError) {
      if (isKlingError(lookupError) && lookupError.kind === 'cancelled') {
        throw lookupError;
      }
      throw this._ambiguous(externalTaskId, 'noAnswer', cause, lookupError);
    }
  }

  private async _findByExternalId(externalTaskId: string, signal?: AbortSignal): Promise<VoiceTask | undefined> {
    const matches = (t: VoiceTask) => t.externalTaskId === externalTaskId;
    let queryError: unknown;
    try {
      const found = await this._request('GET', PATHS.customVoices, {
        signal,
        retry: true,
        query: { external_task_id: externalTaskId },
        parse: (env) => {
          if (Array.isArray(env.data)) {
            // A server that does not know the parameter answers with the list.
            return parseTaskList(env.data, env.requestId).tasks.find(matches);
          }
          if (env.data === undefined || env.data === null) {
            return undefined;
          }
          // Only an exact match counts: a task without an external id, or with another one, is not ours.
          const task = parseTask(env.data, env.requestId);
          return matches(task) ? task : undefined;
        },
      });
      if (found) {
        return found;
      }
    } catch (e) {
      if (isKlingError(e) && e.kind === 'cancelled') {
        throw e;
      }
      queryError = e;
    }
    try {
      const scan = await this._listAll(PATHS.customVoices, signal, matches);
      if (scan.match) {
        return scan.match;
      }
      if (!scan.complete) {
        throw new KlingError({
          kind: 'badResponse',
          message: `The list of voices did not end after ${MAX_LIST_PAGES} pages, so the task could not be looked up in it`,
        });
      }
      return undefined;
    } catch (e) {
      // The list may be missing on a proxy; a definite "not found" from the query form still counts.
      if (
        isKlingError(queryError) &&
        queryError.kind === 'api' &&
        queryError.code === 1201 &&
        !(isKlingError(e) && e.kind === 'cancelled')
      ) {
        return undefined;
      }
      throw e;
    }
  }

  /**
   * Reads a list, page after page. Page counts and sizes are not documented reliably (kling-api.md §1.3) and servers
   * differ, so it stops on the first of: an empty page; a page that adds no task not seen before (a server that
   * ignores pageNum); a page shorter than the longest one so far. A page shorter than the pageSize asked for is
   * not the end when it is as long as the longest so far: the server may cap the page size, so the next page is
   * read too. At most MAX_LIST_PAGES pages (logged when reached; `complete` is then false). With `until`, it stops
   * as soon as a task matches.
   */
  private async _listAll(
    path: string,
    signal?: AbortSignal,
    until?: (t: VoiceTask) => boolean,
  ): Promise<{ tasks: VoiceTask[]; complete: boolean; match?: VoiceTask }> {
    const pageSize = Math.min(500, Math.max(1, Math.floor(this._options.pageSize ?? 500)));
    const log = this._options.logger;
    const tasks: VoiceTask[] = [];
    const seen = new Set<string>();
    let longest = 0;
    for (let pageNum = 1; pageNum <= MAX_LIST_PAGES; pageNum++) {
      const page = await this._request('GET', path, {
        signal,
        retry: true,
        query: { pageNum, pageSize },
        parse: (env) => parseTaskList(env.data, env.requestId),
      });
      if (page.skipped) {
        log?.warn(`${path}: skipped ${page.skipped} malformed item(s) on page ${pageNum}`);
      }
      let added = 0;
      for (const t of page.tasks) {
        if (!seen.has(t.taskId)) {
          seen.add(t.taskId);
          tasks.push(t);
          added++;
          if (until?.(t)) {
            return { tasks, complete: false, match: t };
          }
        }
      }
      if (page.size === 0 || added === 0) {
        if (page.size > 0 && pageNum > 1) {
          log?.warn(
            `${path}: page ${pageNum} repeats earlier tasks; the server seems to ignore pageNum, stopping there`,
          );
        }
        return { tasks, complete: true };
      }
      if (page.size < pageSize && page.size < longest) {
        return { tasks, complete: true };
      }
      longest = Math.max(longest, page.size);
    }
    log?.warn(`${path}: stopped after ${MAX_LIST_PAGES} pages (${tasks.length} tasks); the list may be longer`);
    return { tasks, complete: false };
  }

  private async _backoff(attempt: number, e: KlingError, signal?: AbortSignal): Promise<void> {
    const delay = backoffDelay(attempt, this._retry, this._random, e.code);
    this._options.logger?.warn(
      `retrying in ${delay} ms after ${e.kind}${e.code ? ` code ${e.code}` : ''}${e.status ? ` HTTP ${e.status}` : ''}`,
    );
    await sleep(delay, signal);
  }

  private async _request<T>(method: 'GET' | 'POST', path: string, opts: RequestOptions<T>): Promise<T> {
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

  private async _once<T>(method: 'GET' | 'POST', path: string, opts: RequestOptions<T>): Promise<T> {
    if (opts.signal?.aborted) {
      throw cancelledError();
    }
    const key = (await this._options.getApiKey())?.trim();
    if (!key) {
      throw new KlingError({ kind: 'noApiKey', message: "No API key is set. Run 'Kling Voice: Set API Key'." });
    }
    const query = opts.query
      ? '?' +
        Object.entries(opts.query)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')
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
    let status: number | undefined;
    try {
      let text: string;
      try {
        const res = await this._options.fetch(url, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: controller.signal,
          redirect: 'manual',
        });
        status = res.status;
        if ((status >= 300 && status < 400) || res.type === 'opaqueredirect') {
          await readText(res, () => controller.abort()).catch(() => undefined); // frees the connection
          throw redirectError(status, res.headers.get('location'), url);
        }
        text = await readText(res, () => controller.abort());
      } catch (e) {
        if (isKlingError(e)) {
          throw e;
        }
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
        const detail = redactSecrets(e instanceof Error ? e.message : String(e), [key]);
        log?.warn(`${method} ${logPath} failed after ${ms} ms: ${detail}`);
        throw new KlingError({
          kind: 'network',
          retryable: true,
          message: `Could not reach ${hostOf(this._baseUrl)} (${detail}). Check the network and klingVoice.apiBaseUrl.`,
        });
      }
      const ms = Date.now() - started;
      const env = parseEnvelope(status, text, [key]);
      const result = opts.parse(env);
      const taskId = taskIdOf(env.data);
      log?.info(
        `${method} ${logPath} → ${status} in ${ms} ms${env.requestId ? ` request_id=${env.requestId}` : ''}${taskId ? ` task_id=${taskId}` : ''}`,
      );
      return result;
    } catch (e) {
      if (!isKlingError(e) || e.kind === 'cancelled' || e.kind === 'timeout' || e.kind === 'network') {
        throw e;
      }
      // An answer that is an error, or that cannot be read: redact whatever of the server's text it carries.
      const safe = scrubError(e, key, status);
      const ms = Date.now() - started;
      log?.warn(
        `${method} ${logPath} → ${status ?? '?'} in ${ms} ms${safe.requestId ? ` request_id=${safe.requestId}` : ''}${safe.code !== undefined ? ` code=${safe.code}` : ''} ${safe.serverMessage ?? safe.kind}`,
      );
      throw safe;
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** A create answer that arrived but holds no readable task (the task may or may not exist). */
function answeredUnreadably(e: KlingError): boolean {
  if (e.kind === 'badResponse') {
    return true;
  }
  const status = e.status ?? 0;
  return e.kind === 'api' && status >= 200 && status < 300 && isServerTrouble(e.code);
}

/** No readable answer to a create: it may or may not have been accepted. */
function gotNoAnswer(e: KlingError): boolean {
  switch (e.kind) {
    case 'timeout':
    case 'network':
      return true;
    case 'http':
      return (e.status ?? 0) >= 500;
    case 'api':
      return isServerTrouble(e.code) || (e.status ?? 0) >= 500;
    default:
      return false;
  }
}

function isServerTrouble(code: number | undefined): boolean {
  return code === 5000 || code === 5001 || code === 5002;
}

/** A KlingError built from a response, with the key (and any token) removed from its texts and the status set. */
function scrubError(e: KlingError, key: string, status: number | undefined): KlingError {
  return new KlingError({
    kind: e.kind,
    status: e.status ?? status,
    code: e.code,
    requestId: e.requestId,
    retryable: e.retryable,
    taskId: e.taskId,
    externalTaskId: e.externalTaskId,
    serverMessage: e.serverMessage === undefined ? undefined : redactSecrets(e.serverMessage, [key]),
    message: redactSecrets(e.message, [key]),
  });
}

function redirectError(status: number, location: string | null, requestUrl: string): KlingError {
  let where = 'another address';
  if (location) {
    try {
      where = new URL(location, requestUrl).host || where;
    } catch {
      where = 'an address that is not a valid URL';
    }
  }
  return new KlingError({
    kind: 'http',
    status: status || undefined,
    message: `The server answered${status ? ` HTTP ${status}` : ''} with a redirect to ${where}. Redirects are not followed, so that the API key goes only to klingVoice.apiBaseUrl: set klingVoice.apiBaseUrl to the final address of the API.`,
  });
}

/**
 * Reads a response body as UTF-8, at most MAX_RESPONSE_BYTES of it: streamed chunk by chunk when the body is
 * iterable (node-fetch and Node's fetch), so an endless or huge answer is abandoned early.
 */
async function readText(res: FetchResponse, abort: () => void): Promise<string> {
  const tooLarge = () =>
    new KlingError({
      kind: 'badResponse',
      status: res.status,
      message: `The server's answer is larger than ${Math.round(MAX_RESPONSE_BYTES / (1024 * 1024))} MB, more than any Kling response; it was not read. Check that klingVoice.apiBaseUrl points at a Kling API or proxy.`,
    });
  const declared = Number(res.headers.get('content-length') ?? '');
  const body = res.body as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> } | null | undefined;
  if (body && typeof body[Symbol.asyncIterator] === 'function') {
    // Even when the declared length is too large, stop only while iterating: node-fetch reports an abort as an
    // 'error' event on the body, which must have a listener by then.
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of body as AsyncIterable<unknown>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
      total += bytes.byteLength;
      if (total > MAX_RESPONSE_BYTES) {
        abort();
        throw tooLarge();
      }
      chunks.push(bytes);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  if (declared > MAX_RESPONSE_BYTES) {
    abort();
    throw tooLarge();
  }
  const text = await res.text();
  if (Buffer.byteLength(text, 'utf8') > MAX_RESPONSE_BYTES) {
    throw tooLarge();
  }
  return text;
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

/** Removes a secret (whole, or any 6+ characters of it) and any Bearer/Authorization token from text that may be shown or logged. */
export function redact(text: string, secret: string | undefined): string {
  return redactSecrets(text, [secret]);
}

/** A fresh, unique external task id: `vsc-` + a UUID without dashes (36 characters). */
export function newExternalTaskId(): string {
  return `vsc-${randomUUID().replace(/-/g, '')}`;
}

/** Loopback hosts, where plain http does not leave the machine: 127.0.0.0/8, ::1 and localhost. */
function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Trims whitespace and trailing slashes; rejects anything that is not an https URL, or an http URL of a loopback
 * host (the sandbox, a local proxy): plain http elsewhere would send the API key unencrypted.
 */
export function normalizeBaseUrl(raw: string): string {
  const v = (raw ?? '').trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new KlingError({
      kind: 'invalidInput',
      message: `klingVoice.apiBaseUrl "${v}" is not a valid URL. Set it to e.g. https://api.chainhub.tech/kling.`,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KlingError({
      kind: 'invalidInput',
      message: `klingVoice.apiBaseUrl must be an https URL (got ${url.protocol}).`,
    });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new KlingError({
      kind: 'invalidInput',
      message: 'klingVoice.apiBaseUrl must not contain credentials, a query or a fragment.',
    });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new KlingError({
      kind: 'invalidInput',
      message: `klingVoice.apiBaseUrl must start with https:// (it is ${url.origin}): over plain http the API key would travel unencrypted. http:// is accepted only for this machine (127.0.0.1, ::1, localhost).`,
    });
  }
  return v;
}
