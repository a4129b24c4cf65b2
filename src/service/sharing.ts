// Several callers sharing one piece of work: a create sent once for identical callers, and one polling loop per task.
// Either is abandoned only when its last caller has left.
import * as l10n from '@vscode/l10n';
import { KlingError, type VoiceTask } from '../kling';

/** One polling loop of a task, shared by everyone following it. */
export interface Following {
  controller: AbortController;
  listeners: Set<(t: VoiceTask) => void>;
  promise: Promise<VoiceTask>;
  callers: number;
}

/** A create being sent, and its external_task_id once the client chose it. */
export interface Sending {
  promise: Promise<VoiceTask>;
  readonly externalTaskId?: string;
  listeners: Set<(externalTaskId: string) => void>;
  /** The request's own signal: aborted only when every caller waiting for it has left. */
  controller: AbortController;
  callers: number;
}

/**
 * Waits for a create sent for several identical callers, as one of them: a caller that cancels stops waiting, and
 * the request itself is aborted only when the last caller has left (as a task's polling loop is).
 */
export async function joinSending(sending: Sending, signal: AbortSignal): Promise<VoiceTask> {
  sending.callers++;
  try {
    return await untilAborted(sending.promise, signal);
  } finally {
    if (--sending.callers === 0 && signal.aborted) {
      sending.controller.abort();
    }
  }
}

/** Waits for `p`, or rejects as cancelled when `signal` aborts first (`p` itself goes on). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new KlingError({ kind: 'cancelled', message: l10n.t('Cancelled.') }));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
