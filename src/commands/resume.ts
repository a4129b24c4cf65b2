import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { announce } from '../ui/notify';
import { isKlingError, isTaskUnknown } from '../kling';
import { VoiceService } from '../service/voiceService';

/**
 * Follows again the tasks that were still running when VS Code last closed, so they finish normally:
 * the history and the views are updated and the outcome is announced. Runs only when such tasks exist.
 */
export function resumeInFlightTasks(
  service: VoiceService,
  log: vscode.LogOutputChannel,
  options: { skipFollowed?: boolean } = {},
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
        log.info(`resuming task ${entry.taskId} (${entry.voiceName})`);
        try {
          const task = await service.waitForTask(entry.taskId);
          void announce(task, log, entry.voiceName);
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
            );
          }
          log.warn(`task ${entry.taskId} could not be followed: ${e instanceof Error ? e.message : String(e)}`);
        }
      })
  );
}
