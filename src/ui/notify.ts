import * as vscode from 'vscode';
import { COMMANDS, SETTINGS, VSCODE_COMMANDS } from '../ids';
import { isKlingError, needsApiKey, type VoiceTask } from '../kling';

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
  if (needsApiKey(e)) {
    actions.push('Set API Key');
  }
  const badBaseUrl = isKlingError(e) && e.kind === 'invalidInput' && e.message.startsWith(SETTINGS.apiBaseUrl);
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
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.apiBaseUrl);
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

/** The end-of-task notification with its actions. */
export async function announce(
  task: VoiceTask,
  log: vscode.LogOutputChannel,
  name: string | undefined,
  retry?: ErrorAction,
): Promise<void> {
  const voice = task.voices[0];
  const label = voice?.voiceName || name || task.taskId;
  // One line per notification shown: with several windows open, each task's end is announced in one of them.
  log.info(`announced task ${task.taskId}: ${task.status}`);
  if (task.status === 'succeed' && voice) {
    await voiceActions(
      voice.voiceId,
      voice.trialUrl,
      label,
      `Voice "${label}" is ready. Voice id: ${voice.voiceId}`,
      log,
    );
  } else if (task.status === 'failed') {
    const choice = await vscode.window.showErrorMessage(
      `Voice "${label}" failed: ${task.statusMessage || 'Kling gave no reason'}. Task id ${task.taskId}.`,
      ...(retry ? [retry.title] : []),
      'Show Log',
    );
    if (retry && choice === retry.title) {
      await retry.run();
    } else if (choice === 'Show Log') {
      log.show(true);
    }
  } else {
    const choice = await vscode.window.showInformationMessage(
      `Task ${task.taskId} is ${statusLabel(task.status)}.`,
      'Copy Task ID',
    );
    if (choice === 'Copy Task ID') {
      await vscode.env.clipboard.writeText(task.taskId);
    }
  }
}

export async function voiceActions(
  voiceId: string,
  trialUrl: string | undefined,
  label: string,
  message?: string,
  log?: vscode.LogOutputChannel,
): Promise<void> {
  const actions = ['Copy Voice ID', ...(trialUrl ? ['Open Trial Audio'] : []), ...(log ? ['Show Log'] : [])];
  const choice = await vscode.window.showInformationMessage(message ?? `${label}: ${voiceId}`, ...actions);
  if (choice === 'Copy Voice ID') {
    await vscode.env.clipboard.writeText(voiceId);
    void vscode.window.setStatusBarMessage(`Copied voice id ${voiceId}`, 3000);
  } else if (choice === 'Open Trial Audio' && trialUrl) {
    await openTrialAudio(trialUrl);
  } else if (choice === 'Show Log') {
    log?.show(true);
  }
}
