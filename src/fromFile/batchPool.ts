// The batch scheduler of "Create Voice from File": no `vscode` import, so it is unit-tested in plain mocha.
import { isKlingError } from '../kling';

/** Kling's "too many tasks running for this account / resource pack" (HTTP 429, code 1303). */
export function isConcurrencyLimit(e: unknown): boolean {
  return isKlingError(e) && e.code === 1303;
}

/**
 * Runs jobs with at most `limit` at once. A job that throws a 1303 (too many tasks for the account, after the
 * client's own retries) goes back to the queue, the limit drops by one (not below 1) and new starts wait with a
 * growing delay (2 s, 4 s, … up to 30 s); after `maxTries` such rounds the job is given up. The limit does not
 * grow back within one batch. Other errors are the job's own business (`run` should handle them).
 */
export async function runPool<J>(
  jobs: J[],
  limit: number,
  run: (job: J) => Promise<void>,
  signal: AbortSignal,
  log: { warn(message: string): void },
  onGiveUp: (job: J, e: unknown) => void,
  { baseDelayMs = 2000, maxTries = 5 }: { baseDelayMs?: number; maxTries?: number } = {},
): Promise<void> {
  const queue = jobs.map((job) => ({ job, tries: 0 }));
  let active = 0;
  let current = Math.max(1, limit);
  let pauseUntil = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      if (queue.length === 0 && active === 0) {
        resolve();
        return;
      }
      while (active < current && queue.length > 0) {
        const wait = pauseUntil - Date.now();
        if (wait > 0) {
          setTimeout(pump, wait);
          return;
        }
        const item = queue.shift() as { job: J; tries: number };
        active++;
        run(item.job)
          .catch((e: unknown) => {
            if (isConcurrencyLimit(e) && item.tries < maxTries && !signal.aborted) {
              item.tries++;
              current = Math.max(1, Math.min(current, active) - 1);
              const delay = Math.min(30_000, baseDelayMs * 2 ** (item.tries - 1));
              pauseUntil = Math.max(pauseUntil, Date.now() + delay);
              log.warn(
                `too many tasks running for the account (code 1303): at most ${current} at a time now, next start in ${delay / 1000} s`,
              );
              queue.unshift(item);
            } else {
              onGiveUp(item.job, e);
            }
          })
          .finally(() => {
            active--;
            pump();
          });
      }
    };
    pump();
  });
}
