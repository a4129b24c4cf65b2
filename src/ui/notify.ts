import * as vscode from 'vscode';
import { isKlingError } from '../kling';

export const COMMANDS = {
  setApiKey: 'klingVoice.setApiKey',
  clearApiKey: 'klingVoice.clearApiKey',
  createVoice: 'klingVoice.createVoice',
  checkTask: 'klingVoice.checkTask',
  listPresetVoices: 'klingVoice.listPresetVoices',
  deleteVoice: 'klingVoice.deleteVoice',
  showLog: 'klingVoice.showLog',
  cancelTasks: 'klingVoice.cancelTasks',
} as const;

/** An extra action on an error message, e.g. to edit the input and try again. */
export interface ErrorAction {
  title: string;
  run: () => unknown;
}

/** Shows an error with the actions that can fix it. Never awaited by callers that must return promptly. */
export async function showError(
  e: unknown,
  log: vscode.LogOutputChannel,
  prefix?: string,
  extra?: ErrorAction,
): Promise<void> {
  const message = e instanceof Error ? e.message : String(e);
  if (isKlingError(e) && e.kind === 'cancelled') {
    log.info(`${prefix ? `${prefix}: ` : ''}${message}`);
    return;
  }
  log.error(`${prefix ? `${prefix}: ` : ''}${message}`);
  const actions: string[] = extra ? [extra.title] : [];
  const needsKey =
    isKlingError(e) &&
    (e.kind === 'noApiKey' || (e.kind === 'api' && [1000, 1001, 1002, 1003, 1004].includes(e.code ?? -1)));
  if (needsKey) {
    actions.push('Set API Key');
  }
  const badBaseUrl = isKlingError(e) && e.kind === 'invalidInput' && e.message.startsWith('klingVoice.apiBaseUrl');
  if (isKlingError(e) && (e.kind === 'http' || e.kind === 'badResponse' || e.kind === 'network' || badBaseUrl)) {
    actions.push('Open Settings');
  }
  actions.push('Show Log');
  const full = prefix ? `${prefix}: ${message}` : message;
  const choice = await vscode.window.showErrorMessage(full, ...actions);
  if (extra && choice === extra.title) {
    await extra.run();
  } else if (choice === 'Set API Key') {
    await vscode.commands.executeCommand(COMMANDS.setApiKey);
  } else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'klingVoice.apiBaseUrl');
  } else if (choice === 'Show Log') {
    log.show(true);
  }
}

/** An AbortSignal that follows a CancellationToken. */
export function signalFor(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) {
    controller.abort();
  } else {
    token.onCancellationRequested(() => controller.abort());
  }
  return controller.signal;
}

export function statusLabel(status: string): string {
  switch (status) {
    case 'submitted':
      return 'submitted, waiting to start';
    case 'processing':
      return 'processing';
    case 'succeed':
      return 'succeeded';
    case 'failed':
      return 'failed';
    default:
      return status;
  }
}

/**
 * Opens a trial audio link from the service in the browser. Only http(s) links are opened: the URL comes from
 * a server response, and `file:`, `vscode:` or custom schemes must not be handed to the operating system.
 */
export async function openTrialAudio(raw: string): Promise<boolean> {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    void vscode.window.showWarningMessage(
      `The trial audio link is not a web address (${url ? url.protocol : 'not a URL'}), so it was not opened.`,
    );
    return false;
  }
  return vscode.env.openExternal(vscode.Uri.parse(url.toString(), true));
}
