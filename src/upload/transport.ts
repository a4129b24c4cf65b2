import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { Readable } from 'stream';
import { sleep } from '../kling/retry';
import { UploadError, UploadSource, isTransientStatus, redactText, redactUrl } from './types';

export interface StreamRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Pieces of the body, in order; a source is streamed (bytes in 64 KB chunks, files from disk). */
  body?: (UploadSource | Uint8Array)[];
  signal?: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
  /** No data either way for this long fails the attempt (default 60 s). */
  idleTimeoutMs?: number;
}

export interface StreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  /** For logging; receives redacted URLs only. */
  log?: (message: string) => void;
}

const CHUNK = 64 * 1024;

/** A local file that cannot be read: says so with its name, rather than blaming the network or the server. */
export function unreadableFile(filePath: string, e: unknown): UploadError {
  if (e instanceof UploadError) {
    return e;
  }
  const code = (e as { code?: string }).code;
  const reason =
    code === 'ENOENT'
      ? l10n.t('it does not exist')
      : code === 'EACCES' || code === 'EPERM'
        ? l10n.t('permission denied')
        : code === 'EISDIR'
          ? l10n.t('it is a folder')
          : e instanceof Error
            ? e.message
            : String(e);
  return new UploadError(
    l10n.t('The file "{0}" cannot be read: {1}{2}.', path.basename(filePath), reason, code ? ` (${code})` : ''),
  );
}

export async function sourceSize(part: UploadSource | Uint8Array): Promise<number> {
  if (part instanceof Uint8Array) {
    return part.length;
  }
  if (part.kind === 'bytes') {
    return part.bytes.length;
  }
  try {
    return (await fs.promises.stat(part.path)).size;
  } catch (e) {
    throw unreadableFile(part.path, e);
  }
}

async function* chunksOf(parts: (UploadSource | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    const bytes = part instanceof Uint8Array ? part : part.kind === 'bytes' ? part.bytes : undefined;
    if (bytes) {
      for (let i = 0; i < bytes.length; i += CHUNK) {
        yield bytes.subarray(i, Math.min(bytes.length, i + CHUNK));
      }
    } else if (!(part instanceof Uint8Array) && part.kind === 'file') {
      // Only the file's own errors are the file's fault: the reads are wrapped, the yields (where an error
      // of the consumer would arrive) are not.
      const stream = fs.createReadStream(part.path, { highWaterMark: CHUNK });
      const reads = stream[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<unknown>;
          try {
            next = await reads.next();
          } catch (e) {
            throw unreadableFile(part.path, e);
          }
          if (next.done) {
            break;
          }
          yield next.value as Buffer;
        }
      } finally {
        stream.destroy();
      }
    }
  }
}

function cancelled(): UploadError {
  return new UploadError(l10n.t('The upload was cancelled.'), { cancelled: true });
}

/** One HTTP request whose body is streamed with backpressure; resolves with the whole (small) response body. */
export async function sendOnce(req: StreamRequest): Promise<StreamResponse> {
  if (req.signal?.aborted) {
    throw cancelled();
  }
  const url = new URL(req.url);
  const parts = req.body ?? [];
  let total = 0;
  for (const p of parts) {
    total += await sourceSize(p);
  }
  const headers: Record<string, string> = { ...req.headers };
  if (parts.length > 0 || ['PUT', 'POST'].includes(req.method)) {
    headers['content-length'] = String(total);
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<StreamResponse>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, res?: StreamResponse) => {
      if (settled) {
        return;
      }
      settled = true;
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        reject(err);
      } else {
        resolve(res as StreamResponse);
      }
    };
    const request = lib.request(url, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        // Keep at most 1 MB of an answer: upload endpoints return a short JSON or XML body.
        if (size < 1024 * 1024) {
          chunks.push(c);
          size += c.length;
        }
      });
      res.on('end', () =>
        finish(undefined, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', (e) => finish(e));
    });
    const onAbort = () => {
      request.destroy(cancelled());
      finish(cancelled());
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    request.setTimeout(req.idleTimeoutMs ?? 60_000, () => {
      request.destroy(
        new UploadError(
          l10n.t('No answer from {0} for {1} s.', url.host, Math.round((req.idleTimeoutMs ?? 60_000) / 1000)),
          {
            retryable: true,
          },
        ),
      );
    });
    request.on('error', (e) => finish(req.signal?.aborted ? cancelled() : e));
    if (parts.length === 0) {
      request.end();
      return;
    }
    let sent = 0;
    const body = Readable.from(chunksOf(parts), { objectMode: false });
    body.on('data', (chunk: Uint8Array) => {
      sent += chunk.length;
      req.onProgress?.(sent, total);
    });
    body.on('error', (e) => {
      request.destroy(e);
      finish(e);
    });
    body.pipe(request);
  });
}

/** Network errors worth another try (the server may never have seen the request, or dropped it). */
function isTransient(e: unknown): boolean {
  if (e instanceof UploadError) {
    return e.options.retryable === true;
  }
  const code = (e as { code?: string }).code;
  return [
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'UND_ERR_SOCKET',
  ].includes(code ?? '');
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal, cancelled);
}

/**
 * Sends with retries: network errors and 408/429/5xx are tried again (3 attempts in all by default,
 * backoff 0.5 s, 1 s, … with jitter). The request is rebuilt each time (`build`), so a signature or a
 * body stream is never reused. Other statuses are returned to the caller.
 */
export async function sendWithRetry(
  build: () => StreamRequest | Promise<StreamRequest>,
  options: RetryOptions = {},
): Promise<StreamResponse> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const base = options.baseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    const req = await build();
    try {
      const res = await sendOnce(req);
      if (!isTransientStatus(res.status) || attempt >= attempts) {
        return res;
      }
      options.log?.(
        `${req.method} ${redactUrl(req.url)} → HTTP ${res.status}; retrying (attempt ${attempt + 1} of ${attempts})`,
      );
    } catch (e) {
      if (e instanceof UploadError && e.cancelled) {
        throw e;
      }
      if (!isTransient(e) || attempt >= attempts) {
        throw e instanceof UploadError
          ? e
          : new UploadError(
              l10n.t(
                'Could not reach {0}: {1}',
                new URL(req.url).host,
                redactText(e instanceof Error ? e.message : String(e)),
              ),
              { retryable: isTransient(e) },
            );
      }
      options.log?.(
        `${req.method} ${redactUrl(req.url)} failed (${redactText((e as Error).message)}); retrying (attempt ${attempt + 1} of ${attempts})`,
      );
    }
    const cap = base * 2 ** (attempt - 1);
    await wait(cap / 2 + (Math.random() * cap) / 2, req.signal);
  }
}
