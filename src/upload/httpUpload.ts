import * as l10n from '@vscode/l10n';
import { randomBytes } from 'crypto';
import { encodeExtValue, safeObjectName, uploadFileName } from './names';
import { sendWithRetry } from './transport';
import {
  UploadError,
  UploadProvider,
  UploadRequest,
  UploadResult,
  redactUrl,
  isEncryptedOrLocal,
  serverExcerpt,
} from './types';

export interface HttpUploadConfig {
  /**
   * Upload endpoint. `{fileName}` in it is replaced by the URL-encoded file name (see `uploadFileName`:
   * its extension in lower case, at most 200 bytes), handy for PUT targets.
   */
  url: string;
  method: 'POST' | 'PUT';
  /** Multipart field that carries the file (POST). */
  fieldName: string;
  /**
   * Where the answer's JSON holds the public URL, as a dotted path: "url", "data.url", "files.0.url".
   * Empty with PUT: the upload URL without user info and fragment is the public URL; refused when the
   * upload URL has a query, which may carry the upload credentials.
   */
  responseUrlPath: string;
  /** Sent as `Authorization: Bearer …` to this endpoint only. */
  token?: string;
  log?: (message: string) => void;
}

/** Reads a dotted path ("data.url", "files.0.url", "files[0].url") from parsed JSON. */
export function readJsonPath(value: unknown, path: string): unknown {
  const steps = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
  let cur: unknown = value;
  for (const step of steps) {
    if (cur === null || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Record<string, unknown>)[step];
  }
  return cur;
}

function quoteHeader(s: string): string {
  return s.replace(/[\r\n"\\]/g, '_');
}

/**
 * The multipart part's Content-Disposition. A name that a quoted `filename` cannot carry as it is (non-ASCII,
 * quotes, backslashes) goes as `filename*=UTF-8''…` (RFC 8187, which busboy/multer and most frameworks read
 * first), after an ASCII `filename` for the others (`safeObjectName`: it keeps the extension).
 */
export function contentDisposition(fieldName: string, fileName: string): string {
  const plain = /^[\x20-\x7e]*$/.test(fileName) && !/["\\]/.test(fileName);
  const field = `form-data; name="${quoteHeader(fieldName)}"`;
  return plain
    ? `${field}; filename="${fileName}"`
    : `${field}; filename="${safeObjectName(fileName)}"; filename*=UTF-8''${encodeExtValue(fileName)}`;
}

/**
 * A generic upload endpoint: multipart POST (one file field) or a raw PUT, optionally with a Bearer token,
 * answering with JSON that holds the public URL at `responseUrlPath`. Covers a proxy's own upload route
 * or a company file service.
 */
export class HttpUploadProvider implements UploadProvider {
  readonly id = 'http' as const;
  private readonly _url: URL;

  constructor(private readonly _config: HttpUploadConfig) {
    try {
      this._url = new URL(_config.url.trim());
    } catch {
      throw new UploadError(l10n.t('Set klingVoice.upload.http.url to the upload endpoint (a full http(s) URL).'));
    }
    if (!/^https?:$/.test(this._url.protocol)) {
      throw new UploadError(l10n.t('klingVoice.upload.http.url must start with http:// or https://.'));
    }
    if (!isEncryptedOrLocal(this._url)) {
      throw new UploadError(
        l10n.t(
          'klingVoice.upload.http.url must start with https:// (it is {0}): over plain http the voice sample and the upload token would travel unencrypted. http:// is accepted only for this machine (127.0.0.1, ::1, localhost).',
          this._url.origin,
        ),
        { retryable: false },
      );
    }
    if (_config.method === 'POST' && !_config.responseUrlPath.trim()) {
      throw new UploadError(
        l10n.t('Set klingVoice.upload.http.responseUrlPath to where the answer holds the file URL (e.g. "data.url").'),
      );
    }
    if (!_config.responseUrlPath.trim() && this._url.search) {
      // A query on an upload URL is where presigned signatures and tokens travel: handing Kling the upload
      // URL without it may not work, and with it would give Kling write access to the upload target.
      throw new UploadError(
        l10n.t(
          'klingVoice.upload.http.url has a query string, which may carry upload credentials, so it cannot be the file URL given to Kling. Set klingVoice.upload.http.responseUrlPath to where the endpoint\'s JSON answer holds the file URL (e.g. "url").',
        ),
      );
    }
  }

  get destination(): string {
    return redactUrl(this._url.toString().replace(/%7BfileName%7D/gi, '{fileName}'));
  }

  describe(): string {
    return l10n.t(
      'the upload endpoint {0}{1}',
      this._url.host,
      this._url.pathname.replace(/%7BfileName%7D/gi, '{fileName}'),
    );
  }

  async upload(request: UploadRequest): Promise<UploadResult> {
    const fileName = uploadFileName(request.fileName);
    const target = this._config.url.trim().replace(/\{fileName\}/g, encodeURIComponent(fileName));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this._config.token) {
      headers.authorization = `Bearer ${this._config.token}`;
    }
    let body;
    if (this._config.method === 'PUT') {
      headers['content-type'] = request.contentType;
      body = [request.source];
    } else {
      const boundary = `----KlingVoice${randomBytes(12).toString('hex')}`;
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: ${contentDisposition(this._config.fieldName || 'file', fileName)}\r\n` +
          `Content-Type: ${request.contentType}\r\n\r\n`,
      );
      body = [head, request.source, Buffer.from(`\r\n--${boundary}--\r\n`)];
    }
    this._config.log?.(`upload: ${this._config.method} ${redactUrl(target)}`);
    const res = await sendWithRetry(
      () => ({
        method: this._config.method,
        url: target,
        headers,
        body,
        signal: request.signal,
        onProgress: (sent, total) => request.onProgress?.({ sentBytes: sent, totalBytes: total }),
      }),
      { log: this._config.log },
    );
    if (res.status === 401 || res.status === 403) {
      throw new UploadError(
        l10n.t(
          "The upload endpoint {0} refused the upload (HTTP {1}). Check the token ('Kling Voice: Set Upload Credentials').",
          this._url.host,
          res.status,
        ),
        { status: res.status },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      // The answer may echo the request (its Authorization header, the URL's query): redacted before it is cut short.
      const detail = serverExcerpt(res.text, [this._config.token]);
      throw new UploadError(
        l10n.t('The upload to {0} failed (HTTP {1}{2}).', this._url.host, res.status, detail ? `: ${detail}` : ''),
        {
          status: res.status,
        },
      );
    }
    const url = this._resultUrl(res.text, target);
    return { url, displayUrl: redactUrl(url), sha256: res.sourceSha256 };
  }

  private _resultUrl(text: string, target: string): string {
    const path = this._config.responseUrlPath.trim();
    // The upload URL without user info, query or fragment: a URL derived from it must not carry credentials.
    const base = redactUrl(target);
    if (!path) {
      return base; // PUT: the file is where it was put (the constructor refused a query)
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UploadError(
        l10n.t(
          'The upload endpoint {0} did not answer with JSON, so the file URL cannot be read (klingVoice.upload.http.responseUrlPath).',
          this._url.host,
        ),
      );
    }
    const value = readJsonPath(json, path);
    if (typeof value !== 'string' || !value.trim()) {
      throw new UploadError(
        l10n.t(
          'The upload endpoint\'s answer has no URL at "{0}". Set klingVoice.upload.http.responseUrlPath to where the URL is.',
          path,
        ),
      );
    }
    let url: URL;
    try {
      url = new URL(value.trim(), base); // a relative answer inherits nothing secret from the upload URL
    } catch {
      throw new UploadError(
        l10n.t(
          'The upload endpoint returned "{0}", which is not a URL.',
          serverExcerpt(value, [this._config.token], 100),
        ),
      );
    }
    if (!/^https?:$/.test(url.protocol)) {
      throw new UploadError(
        l10n.t('The upload endpoint returned a {0} URL; Kling needs an http(s) URL.', url.protocol),
      );
    }
    return url.toString();
  }
}
