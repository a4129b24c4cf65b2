import * as l10n from '@vscode/l10n';
// The HTTP side of the Kling client: the fetch it is given, reading an answer with a size limit, and turning a
// redirect or a refused answer into a KlingError with secrets removed. No `vscode` import.
import { KlingError } from './errors';
import { redactSecrets } from './redact';

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
/** A KlingError built from a response, with the key (and any token) removed from its texts and the status set. */
export function scrubError(e: KlingError, secrets: readonly string[], status: number | undefined): KlingError {
  return new KlingError({
    kind: e.kind,
    status: e.status ?? status,
    code: e.code,
    requestId: e.requestId === undefined ? undefined : redactSecrets(e.requestId, secrets),
    retryable: e.retryable,
    taskId: e.taskId,
    externalTaskId: e.externalTaskId,
    serverMessage: e.serverMessage === undefined ? undefined : redactSecrets(e.serverMessage, secrets),
    message: redactSecrets(e.message, secrets),
  });
}

/** Secrets other than the key (upload credentials), trimmed; never fails a request: a store that cannot be read has
 *  nothing to remove. */
export async function readSecrets(
  get: (() => Promise<readonly (string | undefined)[]> | readonly (string | undefined)[]) | undefined,
): Promise<string[]> {
  try {
    const got = (await get?.()) ?? [];
    return got.filter((s): s is string => typeof s === 'string' && s.trim().length > 0).map((s) => s.trim());
  } catch {
    return [];
  }
}

/** The error for a 3xx: redirects are never followed (see FetchLike), so say where it pointed and what to set. */
export function redirectError(status: number, location: string | null, requestUrl: string): KlingError {
  let where = l10n.t('another address');
  if (location) {
    try {
      where = new URL(location, requestUrl).host || where;
    } catch {
      where = l10n.t('an address that is not a valid URL');
    }
  }
  return new KlingError({
    kind: 'http',
    status: status || undefined,
    message: l10n.t(
      'The server answered{0} with a redirect to {1}. Redirects are not followed, so that the API key goes only to klingVoice.apiBaseUrl: set klingVoice.apiBaseUrl to the final address of the API.',
      status ? ` HTTP ${status}` : '',
      where,
    ),
  });
}

/** No answer within the request timeout. */
export function timeoutError(host: string, timeoutMs: number): KlingError {
  return new KlingError({
    kind: 'timeout',
    retryable: true,
    message: l10n.t(
      'No answer from {0} within {1} s. Check the network, or raise klingVoice.requestTimeoutSeconds.',
      host,
      Math.round(timeoutMs / 1000),
    ),
  });
}

/** No answer at all (DNS, refused, reset); `detail` must be redacted already. */
export function networkError(host: string, detail: string): KlingError {
  return new KlingError({
    kind: 'network',
    retryable: true,
    message: l10n.t('Could not reach {0} ({1}). Check the network and klingVoice.apiBaseUrl.', host, detail),
  });
}

/**
 * Reads a response body as UTF-8, at most MAX_RESPONSE_BYTES of it: streamed chunk by chunk when the body is
 * iterable (node-fetch and Node's fetch), so an endless or huge answer is abandoned early.
 */
export async function readText(res: FetchResponse, abort: () => void): Promise<string> {
  const tooLarge = () =>
    new KlingError({
      kind: 'badResponse',
      status: res.status,
      message: l10n.t(
        "The server's answer is larger than {0} MB, more than any Kling response; it was not read. Check that klingVoice.apiBaseUrl points at a Kling API or proxy.",
        Math.round(MAX_RESPONSE_BYTES / (1024 * 1024)),
      ),
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

/** The task_id of an answer's data, for the request log. */
export function taskIdOf(data: unknown): string | undefined {
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const id = (data as Record<string, unknown>).task_id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

/** The host of the base URL, for messages (the whole text when it is no URL). */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** `?k=v&…` with both sides URI-encoded, or '' without a query. */
export function queryString(query: Record<string, string | number> | undefined): string {
  return query
    ? '?' +
        Object.entries(query)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')
    : '';
}

/** Removes a secret (whole, or any 6+ characters of it) and any Bearer/Authorization token from text that may be shown or logged. */
export function redact(text: string, secret: string | undefined): string {
  return redactSecrets(text, [secret]);
}

/** Loopback hosts, where plain http does not leave the machine: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
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
      message: l10n.t(
        'klingVoice.apiBaseUrl "{0}" is not a valid URL. Set it to e.g. https://api.chainhub.tech/kling.',
        v,
      ),
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KlingError({
      kind: 'invalidInput',
      message: l10n.t('klingVoice.apiBaseUrl must be an https URL (got {0}).', url.protocol),
    });
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new KlingError({
      kind: 'invalidInput',
      message: l10n.t('klingVoice.apiBaseUrl must not contain credentials, a query or a fragment.'),
    });
  }
  if (!/^[A-Za-z0-9\-._~/%:@+,;=]*$/.test(url.pathname) || /[\s`"<>{}|\\^]/.test(v)) {
    // Quotes, $, backticks, spaces and brackets have no place in an API path, and a path that is pasted into a
    // shell command (the curl snippet) must not be able to end its quoting. The setting itself is what is used
    // (not url.href), so characters that URL parsing would percent-encode (` " < > { } | \ ^, spaces) are refused too.
    throw new KlingError({
      kind: 'invalidInput',
      message: l10n.t(
        'klingVoice.apiBaseUrl has characters an API path does not use ({0}). Use letters, digits and - . _ ~ / only, e.g. https://api.chainhub.tech/kling.',
        JSON.stringify(url.pathname),
      ),
    });
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new KlingError({
      kind: 'invalidInput',
      message: l10n.t(
        'klingVoice.apiBaseUrl must start with https:// (it is {0}): over plain http the API key would travel unencrypted. http:// is accepted only for this machine (127.0.0.1, ::1, localhost).',
        url.origin,
      ),
    });
  }
  return v;
}
