import * as l10n from '@vscode/l10n';
import { KlingError } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/**
 * Capped exponential backoff with "full jitter" (a random delay up to the cap), so that many clients
 * hitting a 1303 do not come back in lockstep. 1303 (concurrency) starts at ≥ 1 s, as Kling asks.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, code?: number): number {
  const base = code === 1303 ? Math.max(1000, policy.baseDelayMs) : policy.baseDelayMs;
  const cap = Math.min(policy.maxDelayMs, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

export function cancelledError(): KlingError {
  return new KlingError({ kind: 'cancelled', message: l10n.t('Cancelled.') });
}

/** Resolves after `ms`, or rejects with `onAbort()` (a `cancelled` KlingError by default) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal, onAbort: () => Error = cancelledError): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(onAbort());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    const aborted = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
