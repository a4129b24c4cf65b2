// Upload providers: turn a local voice sample into a URL Kling can fetch. No `vscode` import here;
// settings, secrets and consent are read by src/upload/vscodeUpload.ts.
export * from './types';
export { S3UploadProvider, s3ErrorMessage } from './s3';
export { safeObjectName, uploadFileName } from './names';
export type { S3Config } from './s3';
export { HttpUploadProvider, contentDisposition, readJsonPath } from './httpUpload';
export type { HttpUploadConfig } from './httpUpload';
export { sendWithRetry, sendOnce } from './transport';
