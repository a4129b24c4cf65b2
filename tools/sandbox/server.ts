/**
 * The HTTP server of the local Kling custom-voice sandbox (developer tooling, not shipped): request recording, faults
 * applied to a request, and the timed life of a task. What it imitates, and the decisions it takes where Kling's
 * docs are uncertain, are in README.md next to this file; the routes themselves are in routes.ts.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspectAudio, type CheckResult } from './audioCheck';
import { faultReply, FaultQueue, type Fault } from './faults';
import type { Sandbox, SandboxOptions } from './index';
import { byteRange, fail, send, type Reply } from './reply';
import { Routes, type RouteHost } from './routes';
import {
  longNumericId,
  presetTasks,
  SandboxState,
  taskToApi,
  type RecordedCallback,
  type RecordedRequest,
  type SandboxTask,
  type TaskStatus,
} from './state';
import { errorText } from './util';

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
const CALLBACK_TIMEOUT_MS = 5000;

function normalizePrefix(prefix: string | undefined): string {
  let p = (prefix ?? '').trim();
  if (!p || p === '/') {
    return '';
  }
  if (!p.startsWith('/')) {
    p = '/' + p;
  }
  return p.replace(/\/+$/, '');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') {
    return '127.0.0.1';
  }
  if (host === '::') {
    return '[::1]';
  }
  return host.includes(':') ? `[${host}]` : host;
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooBig = true;
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The record of one API request, its body parsed as JSON when it is JSON. */
function recordRequest(req: http.IncomingMessage, method: string, url: URL, raw: Buffer | undefined): RecordedRequest {
  const rawBody = raw?.toString('utf8') ?? '';
  let body: unknown = undefined;
  if (rawBody) {
    try {
      body = JSON.parse(rawBody) as unknown;
    } catch {
      body = rawBody;
    }
  }
  return {
    time: Date.now(),
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...req.headers },
    body,
    rawBody,
    status: 0,
  };
}

export class SandboxServer implements Sandbox, RouteHost {
  url = '';
  port = 0;
  readonly faults = new FaultQueue();
  readonly state: SandboxState;

  private readonly server: http.Server;
  private readonly routes: Routes;
  private readonly prefix: string;
  private readonly delayMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly downloadDelayMs: number;
  private readonly creatorId: string;
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly aborters = new Set<AbortController>();
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: SandboxOptions) {
    this.prefix = normalizePrefix(options.pathPrefix);
    this.delayMs = Math.max(0, options.processingDelayMs ?? 1500);
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 10_000;
    this.downloadDelayMs = Math.max(0, options.downloadDelayMs ?? 0);
    this.creatorId = options.creatorId ?? '3817295046';
    this.state = new SandboxState(presetTasks());
    this.routes = new Routes(this, options);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log(`sandbox error: ${errorText(err)}`);
        if (!res.headersSent && !res.destroyed) {
          send(res, fail(500, 5000, 'internal error'));
        }
      });
    });
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${urlHost(host)}:${this.port}${this.prefix}`;
    // Presets were built before the port was known.
    for (const p of this.state.presets) {
      for (const v of p.task_result.voices ?? []) {
        v.trial_url = this.trialUrl(v.voice_id);
      }
    }
  }

  reset(): void {
    this.state.reset();
    this.faults.clear();
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closed = true;
      for (const [timer, onCancel] of this.timers) {
        clearTimeout(timer);
        onCancel();
      }
      this.timers.clear();
      for (const a of this.aborters) {
        a.abort();
      }
      this.aborters.clear();
      this.closing = new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    }
    return this.closing;
  }

  // -- infrastructure ------------------------------------------------------------------------------------------

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** A cancellable timer; `onCancel` runs if the sandbox closes first. */
  private later(ms: number, fn: () => void, onCancel: () => void = () => undefined): void {
    if (this.closed) {
      onCancel();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.set(timer, onCancel);
  }

  /** Resolves true after `ms`, or false as soon as the sandbox closes. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) =>
      this.later(
        ms,
        () => resolve(true),
        () => resolve(false),
      ),
    );
  }

  private trialUrl(voiceId: string): string {
    return `${this.url}/__sandbox/trial/${voiceId}.wav`;
  }

  // -- request handling ----------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    const raw = await readBody(req);

    const adminRoute = this.adminRoute(path);
    if (adminRoute !== undefined) {
      const admin = this.routes.admin(method, adminRoute, raw);
      // Trial audio is served like a CDN serves it: in byte ranges, so a player can seek in it.
      const reply = adminRoute.startsWith('/trial/') ? byteRange(admin, req.headers.range) : admin;
      send(res, reply);
      this.log(`${method} ${path} -> ${reply.status} (sandbox route)`);
      return;
    }

    const record = recordRequest(req, method, url, raw);
    this.state.requests.push(record);
    const done = (reply: Reply | undefined): void => this.finish(req, res, record, reply, url.search);

    const inPrefix = !this.prefix || path === this.prefix || path.startsWith(this.prefix + '/');
    if (!inPrefix) {
      done(fail(404, 1203, 'requested resource does not exist'));
      return;
    }
    const apiPath = path.slice(this.prefix.length) || '/';
    if (raw === undefined) {
      done(fail(400, 1200, 'request body too large'));
      return;
    }

    const route = (): Reply => this.routes.route(req, method, apiPath, url.searchParams, record.rawBody);
    const fault = this.faults.take(method, apiPath);
    if (!fault) {
      done(route());
      return;
    }
    record.fault = fault.kind;
    done(await this.withFault(fault, route, record.rawBody, req));
  }

  /** The /__sandbox route a path names (the trial audio also under the prefix), or undefined for an API path. */
  private adminRoute(path: string): string | undefined {
    return path.startsWith('/__sandbox/')
      ? path.slice('/__sandbox'.length)
      : this.prefix && path.startsWith(this.prefix + '/__sandbox/trial/')
        ? path.slice((this.prefix + '/__sandbox').length)
        : undefined;
  }

  /** Send the reply to a recorded API request (undefined: destroy the socket instead) and log it. */
  private finish(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: RecordedRequest,
    reply: Reply | undefined,
    search: string,
  ): void {
    if (reply) {
      record.requestId = /"request_id":"([^"]+)"/.exec(typeof reply.body === 'string' ? reply.body : '')?.[1];
      send(res, reply, record);
    } else {
      record.status = 0;
      req.socket.destroy();
    }
    this.log(
      `${record.method} ${record.path}${search} -> ${reply ? reply.status : 'reset'}${record.fault ? ` [fault ${record.fault}]` : ''}`,
    );
  }

  /**
   * Apply a fault to a request: delay it, handle it and then stall or drop it, or answer it wrongly (after handling
   * it when the fault says `record`). Resolves to the reply to send, or undefined to destroy the socket.
   */
  private async withFault(
    fault: Fault,
    route: () => Reply,
    rawBody: string,
    req: http.IncomingMessage,
  ): Promise<Reply | undefined> {
    const delay = fault.delayMs ?? 0;
    switch (fault.kind) {
      case 'slow':
        if (!(await this.sleep(fault.delayMs ?? 1000))) {
          return undefined;
        }
        return route();
      case 'timeout-after-record': {
        route();
        if (fault.delayMs === undefined) {
          return fail(500, 5000, 'Internal server error');
        }
        if (!(await this.sleep(delay))) {
          return undefined;
        }
        return fail(504, 5002, 'Server internal timeout, please try again later');
      }
      case 'reset-after-record':
        route();
        if (delay > 0) {
          await this.sleep(delay);
        }
        return undefined;
      default:
        if (fault.record) {
          route();
        }
        if (delay > 0 && !(await this.sleep(delay))) {
          return undefined;
        }
        return faultReply(fault, rawBody, req);
    }
  }

  // -- task processing -----------------------------------------------------------------------------------------

  private isLive(task: SandboxTask): boolean {
    return !this.closed && this.state.tasks.get(task.taskId) === task;
  }

  /** Start the life of a task just created: its status timers, the voice_url check, its callbacks. */
  process(task: SandboxTask): void {
    // Callback for `submitted` goes out after the create reply.
    this.later(0, () => this.notify(task));
    this.later(Math.round(this.delayMs / 3), () => this.transition(task, 'processing'));
    const voiceUrl = task.voiceUrl;
    const check: Promise<CheckResult> = voiceUrl
      ? this.downloadDelayMs > 0
        ? this.sleep(this.downloadDelayMs).then((elapsed) =>
            elapsed && this.isLive(task) ? this.checkVoiceUrl(voiceUrl) : { ok: false, message: 'sandbox closed' },
          )
        : this.checkVoiceUrl(voiceUrl)
      : Promise.resolve(
          task.videoId === '000000' || task.videoId?.includes('fail')
            ? { ok: false, message: 'video has no usable audio track' }
            : { ok: true },
        );
    void Promise.all([check, this.sleep(this.delayMs)]).then(([result, elapsed]) => {
      if (!elapsed || !this.isLive(task)) {
        return;
      }
      if (task.status === 'submitted') {
        this.transition(task, 'processing');
      }
      if (result.ok) {
        const voiceId = longNumericId();
        task.voice = {
          voice_id: voiceId,
          voice_name: task.voiceName,
          trial_url: this.trialUrl(voiceId),
          owned_by: this.creatorId,
        };
        this.transition(task, 'succeed');
      } else {
        this.transition(task, 'failed', result.message);
      }
    });
  }

  private transition(task: SandboxTask, status: TaskStatus, message = ''): void {
    if (!this.isLive(task) || task.status === status || task.status === 'succeed' || task.status === 'failed') {
      return;
    }
    const now = Math.max(Date.now(), task.updatedAt);
    task.status = status;
    task.statusMsg = message;
    task.updatedAt = now;
    task.history.push({ status, at: now });
    this.notify(task);
  }

  private notify(task: SandboxTask): void {
    if (!task.callbackUrl || !this.isLive(task)) {
      return;
    }
    const payload = taskToApi(task);
    const entry: RecordedCallback = {
      time: Date.now(),
      url: task.callbackUrl,
      taskId: task.taskId,
      taskStatus: task.status,
      payload,
    };
    this.state.callbacks.push(entry);
    const aborter = new AbortController();
    this.aborters.add(aborter);
    fetch(task.callbackUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([aborter.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
    })
      .then(async (r) => {
        entry.status = r.status;
        await r.arrayBuffer().catch(() => undefined);
      })
      .catch((err: unknown) => {
        entry.error = errorText(err);
      })
      .finally(() => this.aborters.delete(aborter));
  }

  private async checkVoiceUrl(voiceUrl: string): Promise<CheckResult> {
    const aborter = new AbortController();
    this.aborters.add(aborter);
    const timeout = AbortSignal.timeout(this.downloadTimeoutMs);
    const signal = AbortSignal.any([aborter.signal, timeout]);
    const cannot = (why: string): CheckResult => ({ ok: false, message: `voice_url could not be downloaded (${why})` });
    const timedOut = (): CheckResult => cannot(`timed out after ${Math.round(this.downloadTimeoutMs / 100) / 10}s`);
    try {
      let response: Response;
      try {
        response = await fetch(voiceUrl, { redirect: 'follow', signal });
      } catch (err) {
        return timeout.aborted ? timedOut() : cannot(errorText(err));
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        return cannot(`HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > MAX_DOWNLOAD_BYTES) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: false, message: 'voice_url file is too large' };
      }
      let bytes: Buffer;
      try {
        bytes = Buffer.from(await response.arrayBuffer());
      } catch (err) {
        return timeout.aborted ? timedOut() : cannot(errorText(err));
      }
      return await inspectAudio(bytes, response.headers.get('content-type'), response.url || voiceUrl);
    } finally {
      this.aborters.delete(aborter);
    }
  }
}
