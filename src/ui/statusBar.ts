import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { TaskHistory } from '../history/taskHistory';
import { SETTINGS, STATUS_BAR_ID } from '../ids';

/** One status-bar item: the number of tasks in flight, with a spinner; hidden when none. Reveals the sidebar on click. */
export function registerStatusBar(
  history: TaskHistory,
  currentBaseUrl: () => string | undefined,
  isFollowing: (taskId: string) => boolean = () => true,
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
  item.name = l10n.t('Kling Voice Tasks');
  item.command = 'workbench.view.extension.klingVoice';
  const update = () => {
    const running = history.inFlight(currentBaseUrl() ?? '');
    if (running.length === 0) {
      item.hide();
      return;
    }
    item.text = `$(loading~spin) ${
      running.length === 1 ? l10n.t('{0} Kling voice task', 1) : l10n.t('{0} Kling voice tasks', running.length)
    }`;
    const idle = running.filter((e) => !isFollowing(e.taskId));
    const names = (list: typeof running) => list.map((e) => e.voiceName || e.taskId).join(', ');
    item.tooltip =
      `${l10n.t('Running: {0}', names(running))}\n` +
      (idle.length
        ? `${l10n.t("Not followed now: {0} (run 'Kling Voice: Resume Following Running Tasks' or refresh My Voices to update them).", names(idle))}\n`
        : '') +
      l10n.t('Click to show the Kling Voice sidebar.');
    item.show();
  };
  update();
  return vscode.Disposable.from(
    item,
    history.onDidChange(update),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SETTINGS.apiBaseUrl) && update()),
  );
}
