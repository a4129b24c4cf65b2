/** What the sandbox answers: the Reply type, the Kling envelope helpers, paging, and sending a reply. */
import type * as http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { RecordedRequest } from './state';

export interface Reply {
  status: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Send in 64 KB chunks without a Content-Length. */
  chunked?: boolean;
}

export function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify(value) };
}

export function ok(data: unknown): Reply {
  return json(200, { code: 0, message: 'SUCCEED', request_id: randomUUID(), data });
}

export function fail(status: number, code: number, message: string): Reply {
  return json(status, { code, message, request_id: randomUUID() });
}

/**
 * A byte range of a media reply, as a CDN serves audio (`Accept-Ranges: bytes`, 206 with Content-Range, 416 for a
 * range past the end). Browsers seek in media only where they can ask for bytes: without it, an <audio> can only play
 * the trial from the top. One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; anything else gets the whole body.
 */
export function byteRange(reply: Reply, range: string | undefined): Reply {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  const whole: Reply = { ...reply, headers: { ...reply.headers, 'Accept-Ranges': 'bytes' } };
  const m = reply.status === 200 && range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) {
    return whole;
  }
  const start = m[1] === '' ? Math.max(0, body.length - Number(m[2])) : Number(m[1]);
  const end = m[1] === '' || m[2] === '' ? body.length - 1 : Math.min(Number(m[2]), body.length - 1);
  if (start > end || start >= body.length) {
    return {
      status: 416,
      contentType: reply.contentType,
      body: '',
      headers: { 'Content-Range': `bytes */${body.length}` },
    };
  }
  return {
    status: 206,
    contentType: reply.contentType,
    body: body.subarray(start, end + 1),
    headers: { 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${end}/${body.length}` },
  };
}

export const html = (status: number, body: string): Reply => ({
  status,
  contentType: 'text/html; charset=utf-8',
  body,
});

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

/** The list options of SandboxOptions that shape a page. */
export interface Paging {
  maxPageSize: number;
  pageSizeCap?: number;
  ignorePageNum?: boolean;
}

/** One page of `items` as the pageNum/pageSize query asks, or 400/1201 if either is out of range. */
export function page<T>(items: readonly T[], query: URLSearchParams, paging: Paging): Reply {
  const pageNum = pageParam(query.get('pageNum'), 'pageNum', 1, 1000);
  if (typeof pageNum === 'string') {
    return fail(400, 1201, pageNum);
  }
  const pageSize = pageParam(query.get('pageSize'), 'pageSize', 30, paging.maxPageSize);
  if (typeof pageSize === 'string') {
    return fail(400, 1201, pageSize);
  }
  const served = paging.pageSizeCap ? Math.min(pageSize, paging.pageSizeCap) : pageSize;
  const start = paging.ignorePageNum ? 0 : (pageNum - 1) * served;
  return ok(items.slice(start, start + served));
}

/** Send `reply` (unless the response is gone) and note its status on the recorded request. */
export function send(res: http.ServerResponse, reply: Reply, record?: RecordedRequest): void {
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
