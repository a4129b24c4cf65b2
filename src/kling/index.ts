export * from './types';
export * from './errors';
export * from './rules';
export * from './validation';
export * from './envelope';
export * from './client';
export { redactSecrets } from './redact';
export { DEFAULT_RETRY, backoffDelay, sleep } from './retry';
export type { RetryPolicy } from './retry';
