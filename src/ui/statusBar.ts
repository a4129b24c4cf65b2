import * as vscode from 'vscode';
import { TaskHistory } from '../history/taskHistory';
import { SETTINGS, STATUS_BAR_ID } from '../ids';

/** One status-bar item: the number of tasks in flight, with a spinner; hidden when none. Reveals the sidebar on click. */
export function registerStatusBar(
  history: TaskHistory,
  currentBaseUrl: () => string | undefined,
  isFollowing: (taskId: string) => boolean = () => true,
): vscode.Disposable {
  const item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
  item.name = 'Kling Voice Tasks';
  item.command = 'workbench.view.extension.klingVoice';
  const update = () => {
    const running = history.inFlight(currentBaseUrl() ?? '');
    if (running.length === 0) {
      item.hide();
      return;
    }
    item.text = `$(loading~spin) ${running.length} Kling voice task${running.length === 1 ? '' : 's'}`;
    const idle = running.filter((e) => !isFollowing(e.taskId));
    item.tooltip =
      `Running: ${running.map((e) => e.voiceName || e.taskId).join(', ')}\n` +
      (idle.length
        ? `Not followed now: ${idle.map((e) => e.voiceName || e.taskId).join(', ')} (run 'Kling Voice: Resume Following Running Tasks' or refresh My Voices to update them).\n`
        : '') +
      'Click to show the Kling Voice sidebar.';
    item.show();
  };
  update();
  return vscode.Disposable.from(
    item,
    history.onDidChange(update),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SETTINGS.apiBaseUrl) && update()),
  );
}
