import * as l10n from '@vscode/l10n';
import { KlingError, isRateLimited } from './errors';
import { nextPollDelay, slowedDown } from './pollSchedule';
import { cancelledError, sleep } from './retry';
import { VoiceTask, isTerminal } from './types';

export interface WaitOptions {
  /** The unit of the poll schedule (see pollSchedule.ts): klingVoice.pollIntervalSeconds. Default 1000. */
  intervalMs?: number;
  /**
   * Date.now() when the task was created. The schedule counts from it, and the first check waits as it says
   * (a task is never done right after its create). Not given: the task is checked at once and counted from now.
   */
  createdAt?: number;
  /** Check at once even with `createdAt` (a task followed again after a restart may have ended meanwhile). */
  checkFirst?: boolean;
  /** Give up after this long (the task may still finish later). Default 10 min. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onUpdate?: (task: VoiceTask) => void;
}

function taskTimeoutError(taskId: string, status: string, timeoutMs: number): KlingError {
  const minutes = Math.round((timeoutMs / 60_000) * 10) / 10;
  return new KlingError({
    kind: 'taskTimeout',
    taskId,
    message: l10n.t(
      "Task {0} is still {1} after {2} min. It may finish later: use 'Kling Voice: Check Task…' with this id, or raise klingVoice.taskTimeoutMinutes.",
      taskId,
      status,
      minutes,
    ),
  });
}

/**
 * Polls a task (`getTask`) until it succeeds or fails, on the schedule of pollSchedule.ts, with an overall timeout.
 * A rate-limited check (HTTP 429, code 1302, after the request's own retries) is not an error: the later checks
 * are spaced further apart. Any other error ends the wait.
 */
export async function followTask(
  getTask: (signal?: AbortSignal) => Promise<VoiceTask>,
  taskId: string,
  options: WaitOptions,
  logger?: { warn(message: string): void },
): Promise<VoiceTask> {
  const unit = Math.max(50, options.intervalMs ?? 1000);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const born = Math.min(Date.now(), options.createdAt ?? Date.now());
  let wait = options.createdAt === undefined || options.checkFirst ? 0 : nextPollDelay(Date.now() - born, unit);
  let slowdown = 1;
  let status = 'running';
  for (;;) {
    await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), options.signal);
    if (options.signal?.aborted) {
      throw cancelledError();
    }
    const last = await getTask(options.signal).catch((e: unknown) => {
      if (!isRateLimited(e)) {
        throw e;
      }
      slowdown = slowedDown(slowdown);
      logger?.warn(`task ${taskId}: rate limited; checking it less often`);
      return undefined;
    });
    if (last) {
      options.onUpdate?.(last);
      if (isTerminal(last.status)) {
        return last;
      }
      status = last.status;
    }
    if (deadline - Date.now() <= 0) {
      throw taskTimeoutError(taskId, status, timeoutMs);
    }
    wait = nextPollDelay(Date.now() - born, unit, slowdown);
  }
}
