import * as l10n from '@vscode/l10n';
import type * as Aws4 from 'aws4';
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import { safeObjectName } from './names';
import { sendWithRetry, unreadableFile } from './transport';
import {
  UploadError,
  UploadProvider,
  UploadRequest,
  UploadResult,
  UploadSource,
  redactText,
  redactUrl,
  isEncryptedOrLocal,
  serverExcerpt,
} from './types';

let aws4Module: typeof Aws4 | undefined;

/** aws4 is its own bundle (dist/aws4.js), loaded with the first S3 request, so VS Code's start does not load it. */
function aws4(): typeof Aws4 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require: see tools/build/build.mjs
  aws4Module ??= require('aws4') as typeof Aws4;
  return aws4Module;
}

export interface S3Config {
  /** e.g. https://s3.eu-west-1.amazonaws.com, https://<account>.r2.cloudflarestorage.com, http://127.0.0.1:9000. Empty: AWS for `region`. */
  endpoint: string;
  region: string;
  bucket: string;
  /** Prepended to every object key, e.g. "kling-voice-samples/". */
  keyPrefix: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Lifetime of the presigned GET URL given to Kling, in seconds (1 s – 7 days). */
  presignExpirySeconds: number;
  /** Path-style URLs (endpoint/bucket/key), needed by MinIO and most local servers; virtual-hosted otherwise. */
  forcePathStyle: boolean;
  log?: (message: string) => void;
}

/** S3 wants every path segment percent-encoded except unreserved characters. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

async function sha256Hex(source: UploadSource): Promise<string> {
  const hash = createHash('sha256');
  if (source.kind === 'bytes') {
    hash.update(source.bytes);
    return hash.digest('hex');
  }
  // One reused 256 KB buffer: a stream's fresh buffer per chunk would pile up tens of MB between collections.
  const buffer = Buffer.allocUnsafe(256 * 1024);
  try {
    const file = await fs.promises.open(source.path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) {
          break;
        }
        hash.update(buffer.subarray(0, bytesRead));
      }
    } finally {
      await file.close();
    }
  } catch (e) {
    throw unreadableFile(source.path, e);
  }
  return hash.digest('hex');
}

/**
 * Uploads to any S3-compatible storage with a SigV4-signed PUT (signed by `aws4`, no AWS SDK) and
 * hands Kling a presigned GET URL. The payload hash is computed first (a streamed pass over the file),
 * so the signature covers the content and stores that check `x-amz-content-sha256` accept it.
 */
export class S3UploadProvider implements UploadProvider {
  readonly id = 's3' as const;
  private readonly _base: URL;

  constructor(private readonly _config: S3Config) {
    const endpoint = _config.endpoint.trim() || `https://s3.${_config.region || 'us-east-1'}.amazonaws.com`;
    try {
      this._base = new URL(endpoint);
    } catch {
      throw new UploadError(l10n.t('klingVoice.upload.s3.endpoint is not a valid URL ("{0}").', endpoint));
    }
    if (!/^https?:$/.test(this._base.protocol)) {
      throw new UploadError(l10n.t('klingVoice.upload.s3.endpoint must start with http:// or https://.'));
    }
    if (!isEncryptedOrLocal(this._base)) {
      throw new UploadError(
        l10n.t(
          'klingVoice.upload.s3.endpoint must start with https:// (it is {0}): over plain http the voice sample would travel unencrypted. http:// is accepted only for this machine (127.0.0.1, ::1, localhost).',
          this._base.origin,
        ),
        { retryable: false },
      );
    }
    if (!_config.bucket.trim()) {
      throw new UploadError(l10n.t('Set klingVoice.upload.s3.bucket to the bucket that receives voice samples.'));
    }
    if (!_config.accessKeyId || !_config.secretAccessKey) {
      throw new UploadError(l10n.t("No S3 access key is stored. Run 'Kling Voice: Set Upload Credentials'."));
    }
  }

  /** What an error message must never contain. */
  private get _secrets(): string[] {
    return [this._config.accessKeyId, this._config.secretAccessKey];
  }

  get destination(): string {
    return `${this._base.origin}/${this._config.bucket}`;
  }

  describe(): string {
    return `the S3 bucket "${this._config.bucket}" at ${this._base.host}`;
  }

  /** The object URL (no query) for a key. */
  objectUrl(key: string): URL {
    const bucket = this._config.bucket;
    const basePath = this._base.pathname.replace(/\/+$/, '');
    if (this._config.forcePathStyle) {
      return new URL(`${this._base.origin}${basePath}/${encodeURIComponent(bucket)}/${encodeKey(key)}`);
    }
    return new URL(`${this._base.protocol}//${bucket}.${this._base.host}${basePath}/${encodeKey(key)}`);
  }

  private _sign(method: string, url: URL, headers: Record<string, string>, signQuery = false): Record<string, string> {
    const opts: Aws4.Request = {
      host: url.host,
      path: `${url.pathname}${url.search}`,
      method,
      service: 's3',
      region: this._config.region || 'us-east-1',
      headers: { ...headers },
      signQuery,
      doNotEncodePath: true, // the path is encoded already (encodeKey)
    };
    // Credentials are always passed: aws4 would otherwise fall back to AWS_* environment variables.
    aws4().sign(opts, { accessKeyId: this._config.accessKeyId, secretAccessKey: this._config.secretAccessKey });
    if (signQuery) {
      return { path: opts.path ?? '' };
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      if (v !== undefined && k.toLowerCase() !== 'host') {
        out[k] = String(v);
      }
    }
    return out;
  }

  /** A presigned GET URL for a key, valid `presignExpirySeconds`. */
  presignGet(key: string): string {
    const url = this.objectUrl(key);
    const expires = Math.min(604800, Math.max(1, Math.round(this._config.presignExpirySeconds)));
    url.search = `X-Amz-Expires=${expires}`;
    const { path } = this._sign('GET', url, {}, true);
    return `${url.origin}${path}`;
  }

  async upload(request: UploadRequest): Promise<UploadResult> {
    const prefix = this._config.keyPrefix.replace(/^\/+/, '');
    const key = `${prefix}${prefix && !prefix.endsWith('/') ? '/' : ''}${randomUUID()}/${safeObjectName(request.fileName)}`;
    const url = this.objectUrl(key);
    const payloadHash = await sha256Hex(request.source);
    const log = this._config.log;
    log?.(`upload: PUT ${redactUrl(url.toString())}`);
    const res = await sendWithRetry(
      () => ({
        method: 'PUT',
        url: url.toString(),
        // Signed anew for each attempt (the date is part of the signature).
        headers: this._sign('PUT', url, { 'Content-Type': request.contentType, 'X-Amz-Content-Sha256': payloadHash }),
        body: [request.source],
        signal: request.signal,
        onProgress: (sent, total) => request.onProgress?.({ sentBytes: sent, totalBytes: total }),
      }),
      { log },
    );
    if (res.status < 200 || res.status >= 300) {
      throw new UploadError(s3ErrorMessage(res.status, res.text, this._config.bucket, url.host, this._secrets), {
        status: res.status,
      });
    }
    const presigned = this.presignGet(key);
    return {
      url: presigned,
      displayUrl: redactUrl(presigned),
      sha256: payloadHash,
      cleanup: () => this.deleteObject(key),
      objectKey: key,
    };
  }

  async deleteObject(key: string): Promise<void> {
    const url = this.objectUrl(key);
    const res = await sendWithRetry(
      () => ({
        method: 'DELETE',
        url: url.toString(),
        headers: this._sign('DELETE', url, { 'X-Amz-Content-Sha256': createHash('sha256').digest('hex') }),
      }),
      { log: this._config.log },
    );
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) {
      throw new UploadError(s3ErrorMessage(res.status, res.text, this._config.bucket, url.host, this._secrets), {
        status: res.status,
      });
    }
    this._config.log?.(`upload: deleted ${redactUrl(url.toString())}`);
  }
}

/**
 * Turns an S3 XML error into a sentence that says what to change. The body is redacted first (`secrets`,
 * signatures, presigned query strings), then its code and message are cut short.
 */
export function s3ErrorMessage(
  status: number,
  body: string,
  bucket: string,
  host: string,
  secrets: readonly (string | undefined)[] = [],
): string {
  const clean = redactText(body, secrets);
  const rawCode = /<Code>([^<]+)<\/Code>/.exec(clean)?.[1];
  const code = rawCode === undefined ? undefined : serverExcerpt(rawCode, [], 60);
  const rawDetail = /<Message>([^<]+)<\/Message>/.exec(clean)?.[1];
  const detail = rawDetail === undefined ? undefined : serverExcerpt(rawDetail, [], 200);
  const what = `${code ? `${code}, ` : ''}HTTP ${status}`;
  switch (code) {
    case 'SignatureDoesNotMatch':
    case 'InvalidAccessKeyId':
    case 'AccessDenied':
      return l10n.t(
        "The storage at {0} refused the upload ({1}). Check the keys ('Kling Voice: Set Upload Credentials'), klingVoice.upload.s3.region and the bucket's permissions.",
        host,
        what,
      );
    case 'NoSuchBucket':
      return l10n.t(
        'The bucket "{0}" does not exist at {1} ({2}). Check klingVoice.upload.s3.bucket and klingVoice.upload.s3.endpoint.',
        bucket,
        host,
        what,
      );
    case 'AuthorizationHeaderMalformed':
    case 'PermanentRedirect':
      return l10n.t(
        'The storage at {0} expects another region or endpoint ({1}{2}). Check klingVoice.upload.s3.region and klingVoice.upload.s3.endpoint.',
        host,
        what,
        detail ? `: ${detail}` : '',
      );
    default:
      return l10n.t('The upload to {0} failed ({1}{2}).', host, what, detail ? `: ${detail}` : '');
  }
}
