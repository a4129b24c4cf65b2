import * as vscode from 'vscode';
import { COMMANDS, EXTENSION_ID, SETTINGS, VSCODE_COMMANDS } from '../ids';
import { isKlingError, isVoiceLimit, needsApiKey, type VoiceTask } from '../kling';
import { readSettings } from '../config';
import { buildFailureReport, type FailureReportInput } from '../shared/failureReport';

/** Puts a failure's diagnostics on the clipboard (ids, status, code, raw reason, host, versions; never a secret). */
export async function copyDiagnostics(
  what: string,
  details: Pick<FailureReportInput, 'error' | 'task' | 'sample'>,
): Promise<string> {
  let baseUrl: string | undefined;
  try {
    baseUrl = readSettings().apiBaseUrl;
  } catch {
    baseUrl = undefined;
  }
  const text = buildFailureReport({
    what,
    ...details,
    baseUrl,
    extensionVersion: String(vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON?.version ?? 'unknown'),
    vscodeVersion: vscode.version,
  });
  await vscode.env.clipboard.writeText(text);
  void vscode.window.setStatusBarMessage('$(copy) Copied the diagnostics (no key, no upload credentials)', 3000);
  return text;
}

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
  if (isKlingError(e) && e.kind === 'taskTimeout') {
    await stillRunning(e.taskId, message, log);
    return;
  }
  log.error(`${prefix ? `${prefix}: ` : ''}${message}`);
  const actions: string[] = extra ? [extra.title] : [];
  if (isVoiceLimit(e)) {
    actions.push('Delete Voice…');
  }
  if (needsApiKey(e)) {
    actions.push('Set API Key');
  }
  const badBaseUrl = isKlingError(e) && e.kind === 'invalidInput' && e.message.startsWith(SETTINGS.apiBaseUrl);
  if (isKlingError(e) && (e.kind === 'http' || e.kind === 'badResponse' || e.kind === 'network' || badBaseUrl)) {
    actions.push('Open Settings');
  }
  actions.push('Copy Diagnostics', 'Show Log');
  const full = prefix ? `${prefix}: ${message}` : message;
  const choice = await vscode.window.showErrorMessage(full, ...actions);
  if (choice === 'Copy Diagnostics') {
    await copyDiagnostics(prefix || 'Failure', { error: e });
  } else if (extra && choice === extra.title) {
    await extra.run();
  } else if (choice === 'Delete Voice…') {
    await vscode.commands.executeCommand(COMMANDS.deleteVoice);
  } else if (choice === 'Set API Key') {
    await vscode.commands.executeCommand(COMMANDS.setApiKey);
  } else if (choice === 'Open Settings') {
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.apiBaseUrl);
  } else if (choice === 'Show Log') {
    log.show(true);
  }
}

/**
 * A task followed past klingVoice.taskTimeoutMinutes has not failed: it is still running at Kling. It stays in
 * My Voices (with Check Task), and the account list brings it up to date when it ends.
 */
async function stillRunning(taskId: string | undefined, message: string, log: vscode.LogOutputChannel): Promise<void> {
  log.warn(`still running at Kling: ${message}`);
  const choice = await vscode.window.showWarningMessage(
    `Still running at Kling — check later. ${message}`,
    ...(taskId ? ['Check Task'] : []),
    'Copy Diagnostics',
  );
  if (choice === 'Check Task' && taskId) {
    await vscode.commands.executeCommand(COMMANDS.checkTask, taskId);
  } else if (choice === 'Copy Diagnostics') {
    await copyDiagnostics('Task still running after the task timeout', { task: { taskId, status: 'running' } });
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
      'Copy Diagnostics',
      'Show Log',
    );
    if (choice === 'Copy Diagnostics') {
      await copyDiagnostics('Task failed', { task });
    } else if (retry && choice === retry.title) {
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
