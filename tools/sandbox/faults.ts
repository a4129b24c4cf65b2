/** Faults a test can queue on the sandbox: their kinds, the queue, the answer of each, and their JSON form. */
import type * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import { fail, html, json, type Reply } from './reply';
import { isPlainObject } from './util';

export type FaultKind =
  | 'rate-limit'
  | 'concurrency'
  | 'balance'
  /** A create refused because the account holds its maximum of custom voices (text as other services word it). */
  | 'voice-limit'
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
  'voice-limit',
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

/**
 * The answer a fault sends instead of the real one; undefined means "destroy the socket". 'slow',
 * 'timeout-after-record' and 'reset-after-record' are handled by the caller (SandboxServer).
 */
export function faultReply(fault: Fault, rawBody: string, req: http.IncomingMessage): Reply | undefined {
  return klingErrorReply(fault.kind) ?? brokenReply(fault, rawBody, req);
}

/** Faults that answer a well-formed Kling error envelope; undefined for every other kind. */
function klingErrorReply(kind: FaultKind): Reply | undefined {
  switch (kind) {
    case 'rate-limit':
      return fail(429, 1302, 'request rate too high, please try again later');
    case 'concurrency':
      return fail(429, 1303, 'parallel task over resource pack limit');
    case 'balance':
      return fail(429, 1102, 'Account balance not enough');
    case 'voice-limit':
      // Kling documents no code for it (kling-api.md §4): a parameter refusal whose text says so, as MiniMax's does.
      return fail(400, 1201, 'voice_limit_reached (10/10): delete custom voices you no longer use');
    case 'ip-whitelist':
      return fail(429, 1304, 'request IP is not in the whitelist');
    case 'server-error':
      return fail(500, 5000, 'Internal server error');
    case 'not-found':
      // A lookup that misses a task that exists (a replica behind): "task not found", as for an unknown id.
      return fail(400, 1201, 'task not found');
    case 'unavailable':
      return fail(503, 5001, 'Service temporarily unavailable, please try again later');
    case 'auth':
      return fail(401, 1002, 'Authorization is invalid');
    case 'no-list':
      return fail(404, 1203, 'requested resource does not exist');
    default:
      return undefined;
  }
}

/** Faults that answer something a Kling client does not expect: pages, echoes, bad envelopes, redirects, no answer. */
function brokenReply(fault: Fault, rawBody: string, req: http.IncomingMessage): Reply | undefined {
  const kind = fault.kind;
  switch (kind) {
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
      return json(400, {
        code: 1201,
        message: `invalid header authorization=${auth}; the key ${bare} is not known`,
        request_id: randomUUID(),
      });
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
    case 'reset':
      return undefined;
    default:
      // 'slow', 'timeout-after-record', 'reset-after-record' are handled by the caller.
      return fail(500, 5000, `unhandled fault ${kind}`);
  }
}

export function faultToJson(f: Fault): Record<string, unknown> {
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
