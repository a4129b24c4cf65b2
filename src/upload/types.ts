import { isLoopbackHost } from '../kling/http';
import { withoutSecrets } from '../shared/url';

/** What to upload: bytes already in memory, or a file on disk that is streamed. */
export type UploadSource = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'file'; path: string };

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

export interface UploadRequest {
  source: UploadSource;
  /** File name for the object key / multipart part, e.g. "narrator.wav". Its extension matters: Kling reads it from the URL. */
  fileName: string;
  contentType: string;
  signal?: AbortSignal;
  onProgress?: (p: UploadProgress) => void;
}

export interface UploadResult {
  /** The URL Kling downloads (may carry a signature: never log or store it whole). */
  url: string;
  /** The same URL without its query string, for logs and history. */
  displayUrl: string;
  /** SHA-256 (hex) of the uploaded file's bytes, computed while they were read for the upload. */
  sha256?: string;
  /** Removes the uploaded object when the provider can (S3 with deleteAfterTask). */
  cleanup?: () => Promise<void>;
  /** With `cleanup`: the object's key at the provider's destination, enough (with the credentials) to delete it later. */
  objectKey?: string;
}

/** One way of turning a local sample into a URL Kling can fetch. */
export interface UploadProvider {
  readonly id: 's3' | 'http';
  /**
   * Where uploads go, as a stable id used for consent (e.g. "https://s3.example.com/bucket" or the
   * upload URL without query). Users can list these ids in `klingVoice.upload.consentedDestinations`.
   */
  readonly destination: string;
  /** A sentence naming the destination, for the consent prompt. */
  describe(): string;
  upload(request: UploadRequest): Promise<UploadResult>;
}

/** HTTP statuses of an upload answer worth another try later (timeout, rate limit, server trouble). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Upload failure with a message for the user. Like a KlingError it has `kind`, `status` and `retryable` (the
 * README's error contract for the API): `kind` is always 'upload', `status` is the HTTP status of the failing
 * upload answer when there was one, and `retryable` says whether the same upload may work later (no answer,
 * or 408/429/5xx).
 */
export class UploadError extends Error {
  readonly kind = 'upload' as const;
  /** HTTP status of the upload answer that failed; undefined when no answer came (or nothing was sent). */
  readonly status?: number;
  readonly retryable: boolean;

  constructor(
    message: string,
    readonly options: { status?: number; retryable?: boolean; cancelled?: boolean } = {},
  ) {
    super(message);
    this.name = 'UploadError';
    this.status = options.status;
    this.retryable = options.retryable ?? (options.status !== undefined && isTransientStatus(options.status));
  }
  get cancelled(): boolean {
    return this.options.cancelled === true;
  }
}

/**
 * Whether the sample (biometric data) and the upload credentials may go to this URL: the same rule as
 * klingVoice.apiBaseUrl, https, or plain http only to this machine (127.0.0.1, ::1, localhost). Providers check it
 * when they are built, before anything is read, signed or sent.
 */
export function isEncryptedOrLocal(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/** A URL without query, fragment or user info: safe to log. */
export function redactUrl(raw: string): string {
  return withoutSecrets(raw) ?? '<invalid URL>';
}

const REDACTED = '***';

/** Shortest piece of a secret that counts as a leak (a server may echo a secret cut short). */
const MIN_FRAGMENT = 6;

/** Removes every word of `text` that holds `MIN_FRAGMENT` or more consecutive characters of `secret`. */
function withoutFragments(text: string, secret: string): string {
  if (secret.length < MIN_FRAGMENT) {
    return text;
  }
  const pieces = new Set<string>();
  for (let i = 0; i + MIN_FRAGMENT <= secret.length; i++) {
    pieces.add(secret.slice(i, i + MIN_FRAGMENT));
  }
  return text.replace(/[^\s"'<>]{6,}/g, (word) => {
    for (let i = 0; i + MIN_FRAGMENT <= word.length; i++) {
      if (pieces.has(word.slice(i, i + MIN_FRAGMENT))) {
        return REDACTED;
      }
    }
    return word;
  });
}

/**
 * Text from a server (or an error) with credentials removed, safe to show and log: the given secrets
 * (whole, URL-encoded, or any 6+ character piece of them), `Authorization` and `Bearer` values, URLs'
 * query strings and user info (through `redactUrl`), query strings after a path, and S3 signing values
 * (X-Amz-Signature, X-Amz-Credential, Signature=, Credential=, and the signing details of S3 error XML).
 * Redact before cutting a text short: a cut secret is no longer recognised whole. Secrets shorter than
 * 4 characters are not looked for (they would match everywhere).
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) {
        out = out.split(form).join(REDACTED);
      }
      out = withoutFragments(out, secret);
    }
  }
  return (
    out
      // Absolute URLs: no query, fragment or user info (presigned links and tokens travel there).
      .replace(/\bhttps?:\/\/[^\s"'<>`]+/gi, (u) => {
        const tail = /[).,;:!]*$/.exec(u)?.[0] ?? ''; // sentence punctuation after the URL stays
        return redactUrl(u.slice(0, u.length - tail.length)) + tail;
      })
      // A query string after a path ("/files/x.wav?sig=…").
      .replace(/\?[^\s"'<>#?]*=[^\s"'<>#]*/g, `?${REDACTED}`)
      .replace(/\b((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n,;}]*/gi, `$1${REDACTED}`)
      .replace(/\b(bearer\s+)[\w\-.~+/]+=*/gi, `$1${REDACTED}`)
      .replace(/\b(X-Amz-(?:Signature|Credential|Security-Token)["']?\s*[:=]\s*["']?)[^\s"'&,;<>]+/gi, `$1${REDACTED}`)
      .replace(/\b((?:Signature|Credential)=)[^\s"'&,;<>]+/g, `$1${REDACTED}`)
      .replace(
        /<(AWSAccessKeyId|SignatureProvided|StringToSign|StringToSignBytes|CanonicalRequest|CanonicalRequestBytes|X-Amz-[\w-]+)>[^<]*<\/\1>/gi,
        `<$1>${REDACTED}</$1>`,
      )
  );
}

/** A server's answer for an error message: redacted first, then on one line and cut to `max` characters. */
export function serverExcerpt(text: string, secrets: readonly (string | undefined)[] = [], max = 200): string {
  const clean = redactText(text, secrets).replace(/\s+/g, ' ').trim();
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : clean;
}
