/**
 * Local sandbox of the Kling "custom voice" HTTP API (developer tooling, not shipped). What it imitates, and the
 * decisions it takes where Kling's public API docs are uncertain, are in README.md next to this file.
 */
import * as http from 'node:http';
import { randomInt, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sineWav } from './wav';

// ---------------------------------------------------------------------------------------------------------------
// Public types

export type TaskStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

export interface SandboxOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** If set, API requests must send `Authorization: Bearer <apiKey>` (else 401/1002; missing header → 401/1001). */
  apiKey?: string;
  /** Time from submitted to the terminal status (default 1500). `submitted` for the first third, then `processing`. */
  processingDelayMs?: number;
  /** Default ''. E.g. '/kling' to imitate a proxy. Requests without the prefix → 404. */
  pathPrefix?: string;
  log?: (line: string) => void;
  /** Timeout of the voice_url download, body included (default 10000). */
  downloadTimeoutMs?: number;
  /**
   * Time from the create to the voice_url download (default 0: at once). Kling downloads the sample when it processes
   * the task, which can be well after the create's answer; with a delay longer than processingDelayMs the terminal
   * status waits for the download.
   */
  downloadDelayMs?: number;
  /** Largest accepted pageSize (default 500; the current English doc page says 1000). */
  maxPageSize?: number;
  /** Which external_task_id lookup forms are understood (default 'both'). */
  externalIdLookup?: 'both' | 'query' | 'path-flag' | 'none';
  /** false → `GET …/custom-voices` (list and query-form lookup) answers 404/1203, like proxies that do not route it. */
  listEndpoint?: boolean;
  /** Max tasks in submitted/processing at once; creating another → 429/1303 (default: unlimited). */
  concurrencyLimit?: number;
  /** owned_by of custom voices (default '3817295046'). */
  creatorId?: string;
  /** Serve at most this many items per page, whatever pageSize asks (a server-side cap; pageNum counts these pages). */
  pageSizeCap?: number;
  /** Ignore pageNum: every list request gets page 1 (a server that does not page). */
  ignorePageNum?: boolean;
}

export interface VoiceEntry {
  voice_id: string;
  voice_name: string;
  trial_url: string;
  owned_by: string;
}

/** The task object exactly as the API returns it. */
export interface ApiTask {
  task_id: string;
  task_status: TaskStatus;
  task_status_msg: string;
  task_info?: { external_task_id: string };
  task_result: { voices?: VoiceEntry[] };
  final_unit_deduction?: string;
  created_at: number;
  updated_at: number;
}

/** Internal record of one custom-voice task. */
export interface SandboxTask {
  taskId: string;
  externalTaskId: string;
  voiceName: string;
  voiceUrl?: string;
  videoId?: string;
  callbackUrl?: string;
  status: TaskStatus;
  statusMsg: string;
  createdAt: number;
  updatedAt: number;
  /** Set once the task succeeded. */
  voice?: VoiceEntry;
  deleted: boolean;
  deletedAt?: number;
  /** Every status the task went through, in order. */
  history: { status: TaskStatus; at: number }[];
}

export interface RecordedRequest {
  time: number;
  method: string;
  /** Full path as received (prefix included), without the query string. */
  path: string;
  query: Record<string, string>;
  /** Node's lower-cased headers; `authorization` is kept. */
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, the raw text if it was not JSON, undefined if empty. */
  body: unknown;
  rawBody: string;
  /** HTTP status sent; 0 if the socket was destroyed without a response (or not answered yet). */
  status: number;
  fault?: FaultKind;
}

export interface RecordedCallback {
  time: number;
  url: string;
  taskId: string;
  taskStatus: TaskStatus;
  payload: ApiTask;
  /** HTTP status of the receiver, if it answered. */
  status?: number;
  error?: string;
}

export type FaultKind =
  | 'rate-limit'
  | 'concurrency'
  | 'balance'
  | 'ip-whitelist'
  | 'server-error'
  | 'unavailable'
  | 'gateway'
  | 'timeout-after-record'
  | 'reset'
  | 'reset-after-record'
  | 'slow'
  | 'html'
  | 'echo'
  | 'non-json'
  | 'nested-error'
  | 'auth'
  | 'no-data'
  | 'redirect'
  | 'echo-headers'
  | 'echo-headers-json'
  | 'huge'
  | 'no-list'
  | 'not-found';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate-limit',
  'concurrency',
  'balance',
  'ip-whitelist',
  'server-error',
  'unavailable',
  'gateway',
  'timeout-after-record',
  'reset',
  'reset-after-record',
  'slow',
  'html',
  'echo',
  'non-json',
  'nested-error',
  'auth',
  'no-data',
  'redirect',
  'echo-headers',
  'echo-headers-json',
  'huge',
  'no-list',
  'not-found',
];

/** What a 'no-list' fault matches when it names nothing itself: the list route (and its query-form lookup). */
const LIST_ROUTE: FaultMatch = { method: 'GET', path: /^\/v1\/general\/custom-voices$/ };

export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** RegExp tested against, or substring of, the API path *without* the prefix and query, e.g. '/v1/general/custom-voices'. */
  path?: RegExp | string;
}

export interface Fault {
  match?: FaultMatch;
  kind: FaultKind;
  /** How many matching requests it applies to (default 1; Infinity = until cleared). */
  count?: number;
  /** 'slow': wait this long, then handle normally (default 1000). 'timeout-after-record': stall this long, then 504/5002.
   *  Other kinds: wait this long before misbehaving. */
  delayMs?: number;
  /** Kinds that answer (e.g. 'echo', 'no-data', 'huge'): handle the request normally first (a create is recorded),
   *  then send the faulty answer instead of the real one, like a proxy that forwarded it and mangled the reply. */
  record?: boolean;
  /** 'redirect': the Location is this URL followed by the request's own path and query (default: /moved on this server). */
  location?: string;
}

/** Queue of one-shot faults; the first pending fault that matches a request is applied to it. */
export class FaultQueue {
  private readonly queue: { fault: Fault; remaining: number }[] = [];

  push(fault: Fault): void {
    if (!FAULT_KINDS.includes(fault.kind)) {
      throw new Error(`unknown fault kind: ${String(fault.kind)}`);
    }
    const count = fault.count ?? 1;
    if (!(count >= 1)) {
      throw new Error(`fault count must be >= 1, got ${count}`);
    }
    // 'no-list' without a match turns the list off, like the listEndpoint option, and leaves every other route alone.
    const match = fault.match ?? (fault.kind === 'no-list' ? LIST_ROUTE : undefined);
    this.queue.push({ fault: { ...fault, match: match ? { ...match } : undefined }, remaining: count });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Number of pending faults (not counting repeats). */
  get size(): number {
    return this.queue.length;
  }

  /** Snapshot of the pending faults with their remaining counts. */
  pending(): Fault[] {
    return this.queue.map((q) => ({ ...q.fault, count: q.remaining }));
  }

  /** Find, consume (one use) and return the fault for this request, if any. */
  take(method: string, apiPath: string): Fault | undefined {
    const index = this.queue.findIndex((q) => faultMatches(q.fault.match, method, apiPath));
    if (index < 0) {
      return undefined;
    }
    const entry = this.queue[index];
    entry.remaining -= 1;
    if (entry.remaining <= 0) {
      this.queue.splice(index, 1);
    }
    return entry.fault;
  }
}

function faultMatches(match: FaultMatch | undefined, method: string, apiPath: string): boolean {
  if (!match) {
    return true;
  }
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) {
    return false;
  }
  if (match.path !== undefined) {
    if (typeof match.path === 'string') {
      return apiPath.includes(match.path);
    }
    match.path.lastIndex = 0;
    return match.path.test(apiPath);
  }
  return true;
}

/** Inspectable sandbox state. */
export class SandboxState {
  /** Custom-voice tasks by task_id, in creation order. */
  readonly tasks = new Map<string, SandboxTask>();
  /** Every API request (not /__sandbox routes), oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Every callback delivery attempt. */
  readonly callbacks: RecordedCallback[] = [];
  /** The preset voices (as listed by presets-voices). */
  readonly presets: readonly ApiTask[];

  constructor(presets: readonly ApiTask[]) {
    this.presets = presets;
  }

  /** Live (succeeded, not deleted) custom voices, oldest first. */
  get voices(): VoiceEntry[] {
    const out: VoiceEntry[] = [];
    for (const t of this.tasks.values()) {
      if (t.voice && !t.deleted) {
        out.push(t.voice);
      }
    }
    return out;
  }

  findTask(taskId: string): SandboxTask | undefined {
    return this.tasks.get(taskId);
  }

  findTaskByExternalId(externalTaskId: string): SandboxTask | undefined {
    if (!externalTaskId) {
      return undefined;
    }
    for (const t of this.tasks.values()) {
      if (t.externalTaskId === externalTaskId) {
        return t;
      }
    }
    return undefined;
  }

  /** The task whose live voice has this id. */
  findTaskByVoiceId(voiceId: string): SandboxTask | undefined {
    for (const t of this.tasks.values()) {
      if (t.voice?.voice_id === voiceId && !t.deleted) {
        return t;
      }
    }
    return undefined;
  }

  /** Forget tasks, requests and callbacks (presets stay). In-flight processing of forgotten tasks is ignored. */
  reset(): void {
    this.tasks.clear();
    this.requests.length = 0;
    this.callbacks.length = 0;
  }
}

export interface Sandbox {
  /** Base URL including the prefix, e.g. http://127.0.0.1:PORT/kling — append /v1/general/... */
  url: string;
  port: number;
  faults: FaultQueue;
  state: SandboxState;
  /** state.reset() + faults.clear(). */
  reset(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;
const CALLBACK_TIMEOUT_MS = 5000;
const UNIT_DEDUCTION = '0.05';
const MIN_SECONDS = 5;
const MAX_SECONDS = 30;

const usedIds = new Set<string>();

/** An 18-digit numeric id as a string (always > 2^53, never a JSON number). */
/** Adds a finished voice task straight into a sandbox's account, as if created earlier (for tests and demos). */
export function seedVoice(sb: Sandbox, name: string, at = Date.now()): { taskId: string; voiceId: string } {
  const taskId = longNumericId();
  const voiceId = longNumericId();
  sb.state.tasks.set(taskId, {
    taskId,
    externalTaskId: '',
    voiceName: name,
    videoId: '123456',
    status: 'succeed',
    statusMsg: '',
    createdAt: at,
    updatedAt: at,
    voice: { voice_id: voiceId, voice_name: name, trial_url: `${sb.url}/__sandbox/trial/${voiceId}.wav`, owned_by: '3817295046' },
    deleted: false,
    history: [{ status: 'succeed', at }],
  });
  return { taskId, voiceId };
}

export function longNumericId(): string {
  for (;;) {
    const id = String(randomInt(100_000_000, 1_000_000_000)) + String(randomInt(0, 1_000_000_000)).padStart(9, '0');
    if (!usedIds.has(id)) {
      usedIds.add(id);
      return id;
    }
  }
}

interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Send in 64 KB chunks without a Content-Length. */
  chunked?: boolean;
}

function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

function ok(data: unknown): Reply {
  return json(200, { code: 0, message: 'SUCCEED', request_id: randomUUID(), data });
}

function fail(status: number, code: number, message: string): Reply {
  return json(status, { code, message, request_id: randomUUID() });
}

const html = (status: number, body: string): Reply => ({ status, contentType: 'text/html; charset=utf-8', body });

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

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) {
      return `${err.message}: ${cause.message}`;
    }
    return err.message;
  }
  return String(err);
}

/** Parse a paging parameter; returns the value or an error message. */
function pageParam(raw: string | null, name: string, def: number, max: number): number | string {
  if (raw === null || raw === '') {
    return def;
  }
  if (!/^\d+$/.test(raw)) {
    return `${name} must be an integer in [1,${max}]`;
  }
  const n = Number(raw);
  if (n < 1 || n > max) {
    return `${name} must be an integer in [1,${max}]`;
  }
  return n;
}

function taskToApi(t: SandboxTask): ApiTask {
  const out: ApiTask = {
    task_id: t.taskId,
    task_status: t.status,
    task_status_msg: t.statusMsg,
    task_info: { external_task_id: t.externalTaskId },
    task_result: t.status === 'succeed' && t.voice ? { voices: [{ ...t.voice }] } : {},
    ...(t.status === 'succeed' ? { final_unit_deduction: UNIT_DEDUCTION } : {}),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
  return out;
}

const PRESET_DEFS: readonly [taskId: string, voiceId: string, name: string][] = [
  ['829301554810966017', '829301554810966001', 'Warm Narrator'],
  ['829301554810966018', '829301554810966002', 'Bright Presenter'],
  ['829301554810966019', '829301554810966003', 'Calm Storyteller'],
  ['829301554810966020', '829301554810966004', 'Energetic Host'],
  ['829301554810966021', '829301554810966005', 'Gentle Whisper'],
  ['829301554810966022', '829301554810966006', 'Deep Documentary'],
  ['829301554810966023', '829301554810966007', 'Friendly Teacher'],
];
const PRESET_TIME = 1758067200000; // 2025-09-17T00:00:00Z

function toneFrequency(voiceId: string): number {
  let h = 0;
  for (const ch of voiceId) {
    h = (h * 31 + ch.charCodeAt(0)) % 1000;
  }
  return 220 + (h % 440);
}

export type CheckResult = { ok: true } | { ok: false; message: string };

// ---------------------------------------------------------------------------------------------------------------
// Server

class SandboxServer implements Sandbox {
  url = '';
  port = 0;
  readonly faults = new FaultQueue();
  readonly state: SandboxState;

  private readonly server: http.Server;
  private readonly prefix: string;
  private readonly delayMs: number;
  private readonly downloadTimeoutMs: number;
  private readonly downloadDelayMs: number;
  private readonly maxPageSize: number;
  private readonly externalIdLookup: NonNullable<SandboxOptions['externalIdLookup']>;
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
    this.maxPageSize = options.maxPageSize ?? 500;
    this.externalIdLookup = options.externalIdLookup ?? 'both';
    this.creatorId = options.creatorId ?? '3817295046';
    this.state = new SandboxState(PRESET_DEFS.map(([taskId, voiceId, name]) => this.presetTask(taskId, voiceId, name)));
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.log(`sandbox error: ${errorText(err)}`);
        if (!res.headersSent && !res.destroyed) {
          this.send(res, fail(500, 5000, 'internal error'));
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

  private presetTask(taskId: string, voiceId: string, name: string): ApiTask {
    return {
      task_id: taskId,
      task_status: 'succeed',
      task_status_msg: '',
      task_result: { voices: [{ voice_id: voiceId, voice_name: name, trial_url: '', owned_by: 'kling' }] },
      created_at: PRESET_TIME,
      updated_at: PRESET_TIME,
    };
  }

  private send(res: http.ServerResponse, reply: Reply, record?: RecordedRequest): void {
    if (record) {
      record.status = reply.status;
    }
    if (res.destroyed || res.headersSent) {
      return;
    }
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
    if (reply.chunked) {
      res.writeHead(reply.status, { 'Content-Type': reply.contentType, ...reply.headers });
      const write = (offset: number): void => {
        if (res.destroyed) {
          return;
        }
        if (offset >= body.length) {
          res.end();
          return;
        }
        const chunk = body.subarray(offset, offset + 65536);
        if (res.write(chunk)) {
          setImmediate(() => write(offset + chunk.length));
        } else {
          res.once('drain', () => write(offset + chunk.length));
        }
      };
      write(0);
      return;
    }
    res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': body.length, ...reply.headers });
    res.end(body);
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
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

  // -- request handling ----------------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    const raw = await this.readBody(req);

    const adminRoute = path.startsWith('/__sandbox/')
      ? path.slice('/__sandbox'.length)
      : this.prefix && path.startsWith(this.prefix + '/__sandbox/trial/')
        ? path.slice((this.prefix + '/__sandbox').length)
        : undefined;
    if (adminRoute !== undefined) {
      const reply = this.admin(method, adminRoute, raw);
      this.send(res, reply);
      this.log(`${method} ${path} -> ${reply.status} (sandbox route)`);
      return;
    }

    const rawBody = raw?.toString('utf8') ?? '';
    let body: unknown = undefined;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        body = rawBody;
      }
    }
    const record: RecordedRequest = {
      time: Date.now(),
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: { ...req.headers },
      body,
      rawBody,
      status: 0,
    };
    this.state.requests.push(record);
    const done = (reply: Reply | undefined): void => {
      if (reply) {
        this.send(res, reply, record);
      } else {
        record.status = 0;
        req.socket.destroy();
      }
      this.log(
        `${method} ${path}${url.search} -> ${reply ? reply.status : 'reset'}${record.fault ? ` [fault ${record.fault}]` : ''}`,
      );
    };

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

    const fault = this.faults.take(method, apiPath);
    if (!fault) {
      done(this.route(req, method, apiPath, url.searchParams, rawBody));
      return;
    }
    record.fault = fault.kind;
    const delay = fault.delayMs ?? 0;
    switch (fault.kind) {
      case 'slow':
        if (!(await this.sleep(fault.delayMs ?? 1000))) {
          return done(undefined);
        }
        return done(this.route(req, method, apiPath, url.searchParams, rawBody));
      case 'timeout-after-record': {
        this.route(req, method, apiPath, url.searchParams, rawBody);
        if (fault.delayMs === undefined) {
          return done(fail(500, 5000, 'Internal server error'));
        }
        if (!(await this.sleep(delay))) {
          return done(undefined);
        }
        return done(fail(504, 5002, 'Server internal timeout, please try again later'));
      }
      case 'reset-after-record':
        this.route(req, method, apiPath, url.searchParams, rawBody);
        if (delay > 0) {
          await this.sleep(delay);
        }
        return done(undefined);
      default:
        if (fault.record) {
          this.route(req, method, apiPath, url.searchParams, rawBody);
        }
        if (delay > 0 && !(await this.sleep(delay))) {
          return done(undefined);
        }
        return done(this.faultReply(fault, rawBody, req));
    }
  }

  private faultReply(fault: Fault, rawBody: string, req: http.IncomingMessage): Reply | undefined {
    const kind = fault.kind;
    switch (kind) {
      case 'rate-limit':
        return fail(429, 1302, 'request rate too high, please try again later');
      case 'concurrency':
        return fail(429, 1303, 'parallel task over resource pack limit');
      case 'balance':
        return fail(429, 1102, 'Account balance not enough');
      case 'ip-whitelist':
        return fail(429, 1304, 'request IP is not in the whitelist');
      case 'server-error':
        return fail(500, 5000, 'Internal server error');
      case 'not-found':
        // A lookup that misses a task that exists (a replica behind): "task not found", as for an unknown id.
        return fail(400, 1201, 'task not found');
      case 'unavailable':
        return fail(503, 5001, 'Service temporarily unavailable, please try again later');
      case 'gateway':
        return html(502, '<html><body>502 Bad Gateway</body></html>');
      case 'html':
        return html(
          200,
          '<!DOCTYPE html><html><head><title>API Gateway</title></head><body><h1>Welcome</h1><p>This is not the API you are looking for.</p></body></html>',
        );
      case 'echo':
        return { status: 200, contentType: 'application/json; charset=utf-8', body: rawBody || '{}' };
      case 'non-json':
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK' };
      case 'nested-error': {
        const inner = { code: 1201, message: 'Voice id not found', request_id: randomUUID() };
        return json(400, { message: 'Voice id not found', data: { data: inner, message: 'Voice id not found' } });
      }
      case 'auth':
        return fail(401, 1002, 'Authorization is invalid');
      case 'no-data':
        return json(200, { code: 0, message: 'SUCCEED', request_id: randomUUID() });
      case 'redirect':
        return {
          status: 302,
          contentType: 'text/plain; charset=utf-8',
          body: 'Moved',
          headers: { Location: `${fault.location ?? '/moved'}${req.url ?? ''}` },
        };
      case 'echo-headers': {
        // A gateway error page that echoes the request headers, the key well past the first 100 characters.
        const auth = req.headers.authorization ?? '';
        return {
          status: 400,
          contentType: 'text/plain; charset=utf-8',
          body: `Bad request. The gateway could not route this request; please check the URL and the headers that were sent. Authorization: ${auth}\nAccept: ${req.headers.accept ?? ''}\nUser-Agent: ${req.headers['user-agent'] ?? ''}\n`,
        };
      }
      case 'echo-headers-json': {
        const auth = req.headers.authorization ?? '';
        const bare = auth.replace(/^Bearer\s+/i, '');
        return json(400, { code: 1201, message: `invalid header authorization=${auth}; the key ${bare} is not known`, request_id: randomUUID() });
      }
      case 'huge': {
        // A valid list whose body is larger than any client should read (about 6 MB), sent chunked.
        const item = JSON.stringify({ task_id: '1', task_status: 'succeed', task_status_msg: 'x'.repeat(1000) });
        const items = new Array<string>(6 * 1024).fill(item);
        return {
          status: 200,
          contentType: 'application/json; charset=utf-8',
          body: `{"code":0,"message":"SUCCEED","request_id":"${randomUUID()}","data":[${items.join(',')}]}`,
          chunked: true,
        };
      }
      case 'no-list':
        return fail(404, 1203, 'requested resource does not exist');
      case 'reset':
        return undefined;
      default:
        // 'slow', 'timeout-after-record', 'reset-after-record' are handled by the caller.
        return fail(500, 5000, `unhandled fault ${kind}`);
    }
  }

  private route(
    req: http.IncomingMessage,
    method: string,
    apiPath: string,
    query: URLSearchParams,
    rawBody: string,
  ): Reply {
    if (this.options.apiKey !== undefined) {
      const header = req.headers.authorization;
      if (!header || !header.trim()) {
        return fail(401, 1001, 'Authorization is empty');
      }
      const m = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (!m || m[1].trim() !== this.options.apiKey) {
        return fail(401, 1002, 'Authorization is invalid');
      }
    }
    const base = '/v1/general/custom-voices';
    const wrongMethod = (): Reply => fail(404, 1202, 'invalid request method');
    if (apiPath === base) {
      if (method === 'POST') {
        return this.create(rawBody);
      }
      if (method === 'GET') {
        if (this.options.listEndpoint === false) {
          return fail(404, 1203, 'requested resource does not exist');
        }
        const ext = query.get('external_task_id');
        if (ext && (this.externalIdLookup === 'both' || this.externalIdLookup === 'query')) {
          return this.getByExternalId(ext);
        }
        return this.list(query);
      }
      return wrongMethod();
    }
    if (apiPath.startsWith(base + '/')) {
      let id = '';
      try {
        id = decodeURIComponent(apiPath.slice(base.length + 1));
      } catch {
        return fail(400, 1201, 'task not found');
      }
      if (!id || id.includes('/')) {
        return fail(404, 1203, 'requested resource does not exist');
      }
      if (method !== 'GET') {
        return wrongMethod();
      }
      const flag = query.get('external_task_id');
      if (flag === 'true' && (this.externalIdLookup === 'both' || this.externalIdLookup === 'path-flag')) {
        return this.getByExternalId(id);
      }
      const task = this.state.findTask(id);
      return task ? ok(taskToApi(task)) : fail(400, 1201, 'task not found');
    }
    if (apiPath === '/v1/general/presets-voices') {
      return method === 'GET' ? this.presets(query) : wrongMethod();
    }
    if (apiPath === '/v1/general/delete-voices') {
      return method === 'POST' ? this.deleteVoice(rawBody) : wrongMethod();
    }
    return fail(404, 1203, 'requested resource does not exist');
  }

  private getByExternalId(externalTaskId: string): Reply {
    const task = this.state.findTaskByExternalId(externalTaskId);
    return task ? ok(taskToApi(task)) : fail(400, 1201, 'task not found');
  }

  private page<T>(items: readonly T[], query: URLSearchParams): Reply {
    const pageNum = pageParam(query.get('pageNum'), 'pageNum', 1, 1000);
    if (typeof pageNum === 'string') {
      return fail(400, 1201, pageNum);
    }
    const pageSize = pageParam(query.get('pageSize'), 'pageSize', 30, this.maxPageSize);
    if (typeof pageSize === 'string') {
      return fail(400, 1201, pageSize);
    }
    const served = this.options.pageSizeCap ? Math.min(pageSize, this.options.pageSizeCap) : pageSize;
    const start = this.options.ignorePageNum ? 0 : (pageNum - 1) * served;
    return ok(items.slice(start, start + served));
  }

  private list(query: URLSearchParams): Reply {
    const tasks = [...this.state.tasks.values()].filter((t) => !t.deleted).reverse();
    return this.page(tasks.map(taskToApi), query);
  }

  private presets(query: URLSearchParams): Reply {
    return this.page(
      this.state.presets.map((p) => structuredClone(p)),
      query,
    );
  }

  private parseJsonObject(rawBody: string): { body: Record<string, unknown> } | { error: Reply } {
    let body: unknown;
    try {
      body = JSON.parse(rawBody) as unknown;
    } catch {
      return { error: fail(400, 1200, 'invalid request body: not valid JSON') };
    }
    if (!isPlainObject(body)) {
      return { error: fail(400, 1200, 'invalid request body: expected a JSON object') };
    }
    return { body };
  }

  private create(rawBody: string): Reply {
    const parsed = this.parseJsonObject(rawBody);
    if ('error' in parsed) {
      return parsed.error;
    }
    const body = parsed.body;
    const optionalString = (name: string): string | Reply => {
      const v = body[name];
      if (v === undefined || v === null) {
        return '';
      }
      return typeof v === 'string' ? v : fail(400, 1200, `${name} must be a string`);
    };
    const name = body.voice_name;
    if (name === undefined || name === null) {
      return fail(400, 1200, 'voice_name is required');
    }
    if (typeof name !== 'string') {
      return fail(400, 1200, 'voice_name must be a string');
    }
    const nameLength = [...name].length;
    if (nameLength < 1 || nameLength > 20) {
      return fail(400, 1201, 'voice_name must be 1-20 characters');
    }
    const fields: Record<string, string> = {};
    for (const f of ['voice_url', 'video_id', 'callback_url', 'external_task_id']) {
      const v = optionalString(f);
      if (typeof v !== 'string') {
        return v;
      }
      fields[f] = v;
    }
    const {
      voice_url: voiceUrl,
      video_id: videoId,
      callback_url: callbackUrl,
      external_task_id: externalTaskId,
    } = fields;
    if (!voiceUrl && !videoId) {
      return fail(400, 1200, 'one of voice_url or video_id is required');
    }
    if (voiceUrl && videoId) {
      return fail(400, 1200, 'voice_url and video_id cannot both be set');
    }
    if (voiceUrl && !isHttpUrl(voiceUrl)) {
      return fail(400, 1201, 'voice_url must be a public http(s) URL');
    }
    if (videoId && !/^\d.{5,}$/su.test(videoId)) {
      return fail(400, 1201, 'video_id not found');
    }
    if (callbackUrl && !isHttpUrl(callbackUrl)) {
      return fail(400, 1201, 'callback_url must be an http(s) URL');
    }
    if (externalTaskId && this.state.findTaskByExternalId(externalTaskId)) {
      return fail(400, 1201, 'external_task_id already exists');
    }
    const limit = this.options.concurrencyLimit;
    if (limit !== undefined) {
      const running = [...this.state.tasks.values()].filter(
        (t) => t.status === 'submitted' || t.status === 'processing',
      ).length;
      if (running >= limit) {
        return fail(429, 1303, 'parallel task over resource pack limit');
      }
    }

    const now = Date.now();
    const task: SandboxTask = {
      taskId: longNumericId(),
      externalTaskId,
      voiceName: name,
      voiceUrl: voiceUrl || undefined,
      videoId: videoId || undefined,
      callbackUrl: callbackUrl || undefined,
      status: 'submitted',
      statusMsg: '',
      createdAt: now,
      updatedAt: now,
      deleted: false,
      history: [{ status: 'submitted', at: now }],
    };
    this.state.tasks.set(task.taskId, task);
    this.process(task);
    return ok({
      task_id: task.taskId,
      task_info: { external_task_id: task.externalTaskId },
      task_status: task.status,
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    });
  }

  private deleteVoice(rawBody: string): Reply {
    const parsed = this.parseJsonObject(rawBody);
    if ('error' in parsed) {
      return parsed.error;
    }
    const body = parsed.body;
    const voiceId = body.voice_id;
    if (voiceId === undefined || voiceId === null || voiceId === '') {
      return fail(400, 1200, 'voice_id is required');
    }
    if (typeof voiceId !== 'string') {
      return fail(400, 1200, 'voice_id must be a string');
    }
    const task = this.state.findTaskByVoiceId(voiceId);
    if (!task) {
      return fail(400, 1201, 'Voice id not found');
    }
    task.deleted = true;
    task.deletedAt = Date.now();
    return ok({ task_id: task.taskId, task_status: 'succeed' });
  }

  // -- task processing -----------------------------------------------------------------------------------------

  private isLive(task: SandboxTask): boolean {
    return !this.closed && this.state.tasks.get(task.taskId) === task;
  }

  private process(task: SandboxTask): void {
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

  // -- admin routes --------------------------------------------------------------------------------------------

  private admin(method: string, route: string, raw: Buffer | undefined): Reply {
    const trial = /^\/trial\/([^/]+)\.wav$/.exec(route);
    if (trial) {
      if (method !== 'GET' && method !== 'HEAD') {
        return json(405, { error: 'method not allowed' });
      }
      const voiceId = trial[1];
      const known =
        this.state.findTaskByVoiceId(voiceId) ??
        this.state.presets.find((p) => p.task_result.voices?.some((v) => v.voice_id === voiceId));
      if (!known) {
        return json(404, { error: 'trial audio not found' });
      }
      return { status: 200, contentType: 'audio/wav', body: sineWav(2, { frequency: toneFrequency(voiceId) }) };
    }
    if (route === '/faults') {
      if (method === 'GET') {
        return json(200, { faults: this.faults.pending().map(faultToJson) });
      }
      if (method === 'DELETE') {
        this.faults.clear();
        return json(200, { ok: true, pending: 0 });
      }
      if (method === 'POST') {
        try {
          this.faults.push(faultFromJson(JSON.parse(raw?.toString('utf8') || 'null') as unknown));
        } catch (err) {
          return json(400, { error: errorText(err) });
        }
        return json(200, { ok: true, pending: this.faults.size });
      }
    }
    if (route === '/state' && method === 'GET') {
      return json(200, {
        url: this.url,
        tasks: [...this.state.tasks.values()].map((t) => ({ ...t, api: taskToApi(t) })),
        voices: this.state.voices,
        presets: this.state.presets.length,
        callbacks: this.state.callbacks,
        requestCount: this.state.requests.length,
        requests: this.state.requests.map((r) => ({
          time: r.time,
          method: r.method,
          path: r.path,
          query: r.query,
          status: r.status,
          fault: r.fault,
        })),
        faults: this.faults.pending().map(faultToJson),
      });
    }
    if (route === '/reset' && method === 'POST') {
      this.reset();
      return json(200, { ok: true });
    }
    return json(404, { error: 'unknown sandbox admin route' });
  }
}

function faultToJson(f: Fault): Record<string, unknown> {
  return {
    kind: f.kind,
    count: f.count === Infinity ? -1 : f.count,
    delayMs: f.delayMs,
    record: f.record,
    location: f.location,
    match: f.match
      ? {
          method: f.match.method,
          path: typeof f.match.path === 'string' ? f.match.path : undefined,
          pathRegExp: f.match.path instanceof RegExp ? f.match.path.source : undefined,
        }
      : undefined,
  };
}

/** Parse a fault sent to POST /__sandbox/faults. */
export function faultFromJson(value: unknown): Fault {
  if (!isPlainObject(value)) {
    throw new Error('expected a JSON object like {"kind":"rate-limit"}');
  }
  const kind = value.kind;
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
    throw new Error(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const m = isPlainObject(value.match) ? value.match : value;
  const match: FaultMatch = {};
  if (typeof m.method === 'string') {
    match.method = m.method;
  }
  if (typeof m.pathRegExp === 'string') {
    match.path = new RegExp(m.pathRegExp);
  } else if (typeof m.path === 'string') {
    match.path = m.path;
  }
  const fault: Fault = { kind: kind as FaultKind };
  if (match.method !== undefined || match.path !== undefined) {
    fault.match = match;
  }
  if (typeof value.count === 'number') {
    fault.count = value.count < 0 ? Infinity : value.count;
  }
  if (typeof value.delayMs === 'number') {
    fault.delayMs = value.delayMs;
  }
  if (value.record === true) {
    fault.record = true;
  }
  if (typeof value.location === 'string') {
    fault.location = value.location;
  }
  return fault;
}

interface MusicMetadata {
  parseBuffer(
    data: Uint8Array,
    fileInfo?: { mimeType?: string; path?: string; size?: number },
    options?: { duration?: boolean; skipCovers?: boolean },
  ): Promise<{ format: { container?: string; duration?: number; hasAudio?: boolean } }>;
}

let musicMetadata: Promise<MusicMetadata> | undefined;

/** Is this a file Kling would take (mp3 / wav / mp4 / mov), and is its duration within 5–30 s? */
export async function inspectAudio(bytes: Uint8Array, contentType: string | null, url: string): Promise<CheckResult> {
  const unsupported: CheckResult = { ok: false, message: 'voice_url is not a supported audio file' };
  if (bytes.length === 0) {
    return unsupported;
  }
  musicMetadata ??= import('music-metadata');
  const mm = await musicMetadata;
  let path: string | undefined;
  try {
    path = new URL(url).pathname;
  } catch {
    path = undefined;
  }
  const mimeType = contentType?.split(';')[0].trim().toLowerCase() || undefined;
  let format: { container?: string; duration?: number; hasAudio?: boolean };
  try {
    ({ format } = await mm.parseBuffer(
      bytes,
      { mimeType, path, size: bytes.length },
      { duration: true, skipCovers: true },
    ));
  } catch {
    return unsupported;
  }
  const container = format.container ?? '';
  const isMp4Family = /(^|\/)(isom|iso\d|mp4\d?|mp41|mp42|m4a|m4v|qt|avc1|3gp\d?|f4v)(\/|$)/i.test(
    container.replace(/\s+/g, ''),
  );
  if (!container || !(container === 'WAVE' || container === 'MPEG' || isMp4Family)) {
    return container ? { ok: false, message: `voice_url is not a supported audio file (${container})` } : unsupported;
  }
  if (isMp4Family && format.hasAudio === false) {
    return { ok: false, message: 'video has no usable audio track' };
  }
  const duration = format.duration;
  if (duration === undefined || !Number.isFinite(duration) || duration <= 0) {
    return isMp4Family ? { ok: false, message: 'video has no usable audio track' } : unsupported;
  }
  if (duration < MIN_SECONDS || duration > MAX_SECONDS) {
    return { ok: false, message: `audio duration ${duration.toFixed(1)}s is outside ${MIN_SECONDS}-${MAX_SECONDS}s` };
  }
  return { ok: true };
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new SandboxServer(options);
  await sandbox.listen();
  return sandbox;
}
