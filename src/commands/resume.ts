import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { announce } from '../ui/notify';
import { isKlingError, isTaskUnknown } from '../kling';
import { VoiceService } from '../service/voiceService';
import { LEASE_RENEW_MS } from '../history/lease';

/**
 * Follows again the tasks that were still running when VS Code last closed, so they finish normally:
 * the history and the views are updated and the outcome is announced. Runs only when such tasks exist.
 *
 * A task another window follows (it holds the task's lease) is not followed here: its end is announced there, once.
 * This window shows its progress from the shared history, and follows it only when that window stops renewing its
 * lease (closed) before the task ended.
 */
export function resumeInFlightTasks(
  service: VoiceService,
  log: vscode.LogOutputChannel,
  options: { skipFollowed?: boolean; watchEveryMs?: number } = {},
): Promise<void>[] {
  const baseUrl = service.currentBaseUrl();
  if (!baseUrl) {
    return [];
  }
  return (
    service.history
      .inFlight(baseUrl)
      // Someone already following a task announces its end; joining its loop again would announce it twice.
      .filter((entry) => !(options.skipFollowed && service.isFollowing(entry.taskId)))
      .map(async (entry) => {
        // Followed here already (created here, or a panel): wait with it, but its follower announces the end.
        const here = service.isFollowing(entry.taskId);
        if (!here && !(await service.history.leases.take(entry.taskId))) {
          log.info(`task ${entry.taskId} (${entry.voiceName}) is followed by another window`);
          if (!(await watchElsewhere(service, entry.taskId, options.watchEveryMs ?? LEASE_RENEW_MS))) {
            return;
          }
          log.info(`task ${entry.taskId}: the window following it stopped before it ended; following it here`);
        }
        log.info(`resuming task ${entry.taskId} (${entry.voiceName})`);
        try {
          const task = await service.waitForTask(entry.taskId);
          if (!here) {
            void announce(task, log, entry.voiceName);
          }
        } catch (e) {
          if (isKlingError(e) && e.kind === 'cancelled') {
            return;
          }
          if (isTaskUnknown(e)) {
            // The service does not know the task (any more): stop showing it as running.
            await service.history.markLost(
              entry.taskId,
              l10n.t(
                'The service no longer knows this task ({0}).',
                e.serverMessage ?? l10n.t('code {0}', e.code ?? ''),
              ),
              { requestId: e.requestId, httpStatus: e.status },
            );
          }
          log.warn(`task ${entry.taskId} could not be followed: ${e instanceof Error ? e.message : String(e)}`);
        }
      })
  );
}

/**
 * Watches a task another window follows, through the shared history: the views are refreshed when it changes.
 * Resolves false once the task ended (or left the history), true once this window took its lease over.
 */
async function watchElsewhere(service: VoiceService, taskId: string, everyMs: number): Promise<boolean> {
  const { history } = service;
  let seen = JSON.stringify(history.get(taskId));
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const entry = history.get(taskId);
    const now = JSON.stringify(entry);
    if (now !== seen) {
      seen = now;
      history.changedElsewhere();
    }
    if (!entry || (entry.status !== 'submitted' && entry.status !== 'processing') || service.stopped) {
      return false;
    }
    if (history.leases.holder(taskId) === 'none' && (await history.leases.take(taskId))) {
      return true;
    }
  }
}
