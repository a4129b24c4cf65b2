export * from './types';
export * from './errors';
export * from './validation';
export * from './envelope';
export * from './client';
export { DEFAULT_RETRY, backoffDelay, sleep } from './retry';
export type { RetryPolicy } from './retry';
