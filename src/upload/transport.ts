import * as l10n from '@vscode/l10n';
import { createHash, type Hash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
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
  /** SHA-256 (hex) of the body's sources (not of the multipart framing around them), hashed as they were sent. */
  sourceSha256?: string;
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

/** How many 64 KB buffers a file is read into, in turn: each is reused once the socket has taken its bytes. */
const RING = 4;

/**
 * Writes the body to the request, 64 KB at a time, with backpressure; the sources' bytes (not plain framing
 * pieces) also go through `hash`. A file is read into a ring of four buffers, each reused only after the socket has
 * flushed it, so a 50 MB upload allocates 256 KB and leaves no garbage behind (a fresh buffer per chunk would let
 * tens of MB pile up between collections).
 */
async function writeBody(
  request: http.ClientRequest,
  parts: (UploadSource | Uint8Array)[],
  hash: Hash,
  onSent: (bytes: number) => void,
): Promise<void> {
  const closed = new Promise<void>((resolve) => request.once('close', resolve));
  const write = (chunk: Uint8Array): Promise<void> =>
    Promise.race([
      new Promise<void>((resolve) => request.write(chunk, () => resolve())).then(() => onSent(chunk.length)),
      closed,
    ]);
  const drained = () => Promise.race([new Promise<void>((r) => request.once('drain', r)), closed]);
  for (const part of parts) {
    if (request.destroyed) {
      return;
    }
    const bytes = part instanceof Uint8Array ? part : part.kind === 'bytes' ? part.bytes : undefined;
    if (bytes) {
      for (let i = 0; i < bytes.length && !request.destroyed; i += CHUNK) {
        const chunk = bytes.subarray(i, Math.min(bytes.length, i + CHUNK));
        if (!(part instanceof Uint8Array)) {
          hash.update(chunk);
        }
        void write(chunk);
        if (request.writableNeedDrain) {
          await drained();
        }
      }
    } else if (!(part instanceof Uint8Array) && part.kind === 'file') {
      await writeFile(request, part.path, hash, write);
    }
  }
}

async function writeFile(
  request: http.ClientRequest,
  filePath: string,
  hash: Hash,
  write: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  let file: fs.promises.FileHandle;
  try {
    file = await fs.promises.open(filePath, 'r');
  } catch (e) {
    throw unreadableFile(filePath, e);
  }
  const ring = Array.from({ length: RING }, () => Buffer.allocUnsafe(CHUNK));
  const inFlight: (Promise<void> | undefined)[] = new Array(RING);
  try {
    for (let n = 0; !request.destroyed; n++) {
      const slot = n % RING;
      await inFlight[slot]; // the socket has taken this buffer's last bytes
      let bytesRead: number;
      try {
        ({ bytesRead } = await file.read(ring[slot], 0, CHUNK, null));
      } catch (e) {
        throw unreadableFile(filePath, e);
      }
      if (bytesRead === 0) {
        break;
      }
      const chunk = ring[slot].subarray(0, bytesRead);
      hash.update(chunk);
      inFlight[slot] = write(chunk);
    }
    await Promise.all(inFlight);
  } finally {
    await file.close();
  }
}

function cancelled(): UploadError {
  return new UploadError(l10n.t('The upload was cancelled.'), { cancelled: true });
}

async function totalSize(parts: (UploadSource | Uint8Array)[]): Promise<number> {
  let total = 0;
  for (const p of parts) {
    total += await sourceSize(p);
  }
  return total;
}

/** Reads a (small) answer; `sha256` is asked for once it has ended. */
function collect(
  res: http.IncomingMessage,
  finish: (err: Error | undefined, res?: StreamResponse) => void,
  sha256: () => string | undefined,
): void {
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
      // Complete only when the whole body went out (a server may answer early, e.g. with an error).
      sourceSha256: sha256(),
    }),
  );
  res.on('error', (e) => finish(e));
}

/** One HTTP request whose body is streamed with backpressure; resolves with the whole (small) response body. */
export async function sendOnce(req: StreamRequest): Promise<StreamResponse> {
  if (req.signal?.aborted) {
    throw cancelled();
  }
  const url = new URL(req.url);
  const parts = req.body ?? [];
  const total = await totalSize(parts);
  const headers: Record<string, string> = { ...req.headers };
  if (parts.length > 0 || ['PUT', 'POST'].includes(req.method)) {
    headers['content-length'] = String(total);
  }
  const lib = url.protocol === 'https:' ? https : http;
  const hash = createHash('sha256');
  let bodyEnded = parts.length === 0;
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
    const request = lib.request(url, { method: req.method, headers }, (res) =>
      collect(res, finish, () => (bodyEnded ? hash.digest('hex') : undefined)),
    );
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
    writeBody(request, parts, hash, (n) => {
      sent += n;
      req.onProgress?.(sent, total);
    }).then(
      () => {
        if (!request.destroyed) {
          bodyEnded = true;
          request.end();
        }
      },
      (e: Error) => {
        request.destroy(e);
        finish(e);
      },
    );
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
