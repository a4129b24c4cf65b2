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
  /** Removes the uploaded object when the provider can (S3 with deleteAfterTask). */
  cleanup?: () => Promise<void>;
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

/** Upload failure with a message for the user. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly options: { status?: number; retryable?: boolean; cancelled?: boolean } = {},
  ) {
    super(message);
    this.name = 'UploadError';
  }
  get cancelled(): boolean {
    return this.options.cancelled === true;
  }
}

/** A URL without query, fragment or user info: safe to log. */
export function redactUrl(raw: string): string {
  return withoutSecrets(raw) ?? '<invalid URL>';
}
