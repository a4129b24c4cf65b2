import * as l10n from '@vscode/l10n';
import { randomUUID } from 'crypto';
import { Envelope, parseEnvelope, parseTask, parseTaskList } from './envelope';
import { KlingError, isKlingError } from './errors';
import { ambiguousRetryAdvice, AmbiguousCase, ambiguousError, answeredUnreadably, gotNoAnswer } from './createOutcome';
import {
  FetchLike,
  hostOf,
  networkError,
  timeoutError,
  normalizeBaseUrl,
  queryString,
  readSecrets,
  readText,
  redirectError,
  scrubError,
  taskIdOf,
} from './http';
import { redactSecrets } from './redact';
import { DEFAULT_RETRY, RetryPolicy, backoffDelay, cancelledError, sleep } from './retry';
import { CreateVoiceInput, PATHS, Voice, VoiceTask } from './types';
import { toCreateBody, validateCreateInput } from './validation';
import { WaitOptions, followTask } from './follow';
export type { WaitOptions } from './follow';

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
export { ambiguousRetryAdvice };

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
  /** Other secrets (the upload credentials) to cut out of every answer, like the key; read per request. */
  getSecrets?: () => Promise<readonly (string | undefined)[]> | readonly (string | undefined)[];
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

/** One request as the log names it, with the key to remove from what it brings back. */
interface SentRequest {
  method: 'GET' | 'POST';
  /** The path and query (the base URL is the same for every request). */
  logPath: string;
  key: string;
  /** The key and the other secrets, to remove from every answer. */
  secrets: string[];
  /** Date.now() when it was sent. */
  started: number;
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
    const { externalTaskId, body } = this._createBody(input, options);
    const { signal } = options;
    const log = this._options.logger;
    /** The first unanswered attempt: an earlier POST of this call may have created the task. */
    let unanswered: KlingError | undefined;
    let repeats = 0;

    for (let attempt = 1; ; attempt++) {
      const sent = await this._postCreate(body, signal);
      if (!isKlingError(sent)) {
        return sent;
      }
      const e = sent;
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
        throw ambiguousError(externalTaskId, 'noAnswer', e);
      }
      repeats++;
      log?.warn(
        `create: no task with external_task_id ${externalTaskId} after ${e.kind}; sending the same create once more`,
      );
      await this._backoff(attempt, e, signal);
    }
  }

  /** Checks the input (nothing is sent when it is invalid) and builds the body, with its external task id. */
  private _createBody(
    input: CreateVoiceInput,
    options: CreateOptions,
  ): { externalTaskId: string; body: Record<string, string> } {
    const { errors } = validateCreateInput(input);
    if (errors.length) {
      throw new KlingError({ kind: 'invalidInput', message: errors.map((e) => e.message).join(' ') });
    }
    const externalTaskId = input.externalTaskId || newExternalTaskId();
    options.onExternalId?.(externalTaskId);
    return { externalTaskId, body: toCreateBody(input, externalTaskId) };
  }

  /** One create POST: the task, or the KlingError it failed with (anything else, and a cancel, is thrown). */
  private async _postCreate(body: unknown, signal: AbortSignal | undefined): Promise<VoiceTask | KlingError> {
    try {
      return await this._request('POST', PATHS.customVoices, {
        signal,
        retry: false,
        body,
        parse: (env) => parseTask(env.data, env),
      });
    } catch (err) {
      if (!isKlingError(err) || err.kind === 'cancelled') {
        throw err;
      }
      return err;
    }
  }

  /** Gets one task by its task id (not the voice id). */
  async getTask(taskId: string, signal?: AbortSignal): Promise<VoiceTask> {
    const id = String(taskId ?? '').trim();
    if (!id || /[\s/?#]/.test(id)) {
      throw new KlingError({
        kind: 'invalidInput',
        message: l10n.t('Enter a task id (the id returned when the voice was created, not the voice id).'),
      });
    }
    return this._request('GET', `${PATHS.customVoices}/${encodeURIComponent(id)}`, {
      signal,
      retry: true,
      parse: (env) => parseTask(env.data, env),
    });
  }

  /**
   * Finds a task by the external id we sent. Tries the query form first, then scans the list, because Kling's docs
   * say a task can be queried by external_task_id but never give the request format, and clients disagree on it
   * (https://app.klingai.com/global/dev/document-api).
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
      throw new KlingError({ kind: 'invalidInput', message: l10n.t('Enter the voice id to delete.') });
    }
    await this._request('POST', PATHS.deleteVoices, {
      signal,
      retry: false,
      body: { voice_id: id },
      parse: () => undefined,
    });
  }

  /** Polls a task until it succeeds or fails: see followTask (follow.ts). */
  waitForTask(taskId: string, options: WaitOptions = {}): Promise<VoiceTask> {
    return followTask((signal) => this.getTask(taskId, signal), taskId, options, this._options.logger);
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
    throw ambiguousError(externalTaskId, why, cause);
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
      throw ambiguousError(externalTaskId, 'noAnswer', cause, lookupError);
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
            return parseTaskList(env.data, env).tasks.find(matches);
          }
          if (env.data === undefined || env.data === null) {
            return undefined;
          }
          // Only an exact match counts: a task without an external id, or with another one, is not ours.
          const task = parseTask(env.data, env);
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
          message: l10n.t(
            'The list of voices did not end after {0} pages, so the task could not be looked up in it',
            MAX_LIST_PAGES,
          ),
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
   * Reads a list, page after page. Page counts and sizes are not documented reliably (copies of Kling's docs give
   * pageSize up to 500 or up to 1000, and no total count) and servers differ, so it stops on the first of: an
   * empty page; a page that adds no task not seen before (a server that ignores pageNum); a page shorter than the
   * longest one so far. A page shorter than the pageSize asked for is not the end when it is as long as the
   * longest so far: the server may cap the page size, so the next page is read too. At most MAX_LIST_PAGES pages
   * (logged when reached; `complete` is then false). With `until`, it stops as soon as a task matches.
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
        parse: (env) => parseTaskList(env.data, env),
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
    const key = await this._keyFor(opts.signal);
    const logPath = path + queryString(opts.query);
    const url = this._baseUrl + logPath;
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
    const secrets = [key, ...(await readSecrets(this._options.getSecrets))];
    const request = { method, logPath, key, secrets, started };
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
        throw this._noAnswer(e, request, timedOut, opts.signal);
      }
      return this._answered(request, status, text, opts.parse);
    } catch (e) {
      if (!isKlingError(e) || e.kind === 'cancelled' || e.kind === 'timeout' || e.kind === 'network') {
        throw e;
      }
      throw this._refused(e, request, status);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The API key for a request, unless the request is already cancelled or there is no key. */
  private async _keyFor(signal: AbortSignal | undefined): Promise<string> {
    if (signal?.aborted) {
      throw cancelledError();
    }
    const key = (await this._options.getApiKey())?.trim();
    if (!key) {
      throw new KlingError({ kind: 'noApiKey', message: l10n.t("No API key is set. Run 'Kling Voice: Set API Key'.") });
    }
    return key;
  }

  /** The error for a request that got no answer: cancelled by the caller, timed out, or failed in the network. */
  private _noAnswer(e: unknown, request: SentRequest, timedOut: boolean, signal: AbortSignal | undefined): KlingError {
    const { method, logPath, secrets, started } = request;
    const log = this._options.logger;
    const ms = Date.now() - started;
    if (signal?.aborted) {
      log?.info(`${method} ${logPath} cancelled after ${ms} ms`);
      return cancelledError();
    }
    if (timedOut) {
      log?.warn(`${method} ${logPath} timed out after ${ms} ms`);
      return timeoutError(hostOf(this._baseUrl), this._timeoutMs);
    }
    const detail = redactSecrets(e instanceof Error ? e.message : String(e), secrets);
    log?.warn(`${method} ${logPath} failed after ${ms} ms: ${detail}`);
    return networkError(hostOf(this._baseUrl), detail);
  }

  /** Reads an answer's envelope and data, and logs the request; throws what parseEnvelope or `parse` throws. */
  private _answered<T>(request: SentRequest, status: number, text: string, parse: (env: Envelope) => T): T {
    const { method, logPath, secrets, started } = request;
    const ms = Date.now() - started;
    const env = parseEnvelope(status, text, secrets);
    const result = parse(env);
    const taskId = taskIdOf(env.data);
    this._options.logger?.info(
      `${method} ${logPath} → ${status} in ${ms} ms${env.requestId ? ` request_id=${env.requestId}` : ''}${taskId ? ` task_id=${taskId}` : ''}`,
    );
    return result;
  }

  /** An answer that is an error, or that cannot be read: redacts whatever of the server's text it carries, and logs it. */
  private _refused(e: KlingError, request: SentRequest, status: number | undefined): KlingError {
    const { method, logPath, secrets, started } = request;
    const safe = scrubError(e, secrets, status);
    const ms = Date.now() - started;
    this._options.logger?.warn(
      `${method} ${logPath} → ${status ?? '?'} in ${ms} ms${safe.requestId ? ` request_id=${safe.requestId}` : ''}${safe.code !== undefined ? ` code=${safe.code}` : ''} ${safe.serverMessage ?? safe.kind}`,
    );
    return safe;
  }
}

/** A fresh, unique external task id: `vsc-` + a UUID without dashes (36 characters). */
export function newExternalTaskId(): string {
  return `vsc-${randomUUID().replace(/-/g, '')}`;
}
