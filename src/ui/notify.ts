import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { COMMANDS, EXTENSION_ID, SETTINGS, VSCODE_COMMANDS } from '../ids';
import { isKlingError, isVoiceLimit, needsApiKey, type VoiceTask } from '../kling';
import { readSettings } from '../config';
import { buildFailureReport, type FailureReportInput } from '../shared/failureReport';
import { lastFailure, rememberFailure } from './lastFailure';

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
  void vscode.window.setStatusBarMessage(
    l10n.t('{0} Copied the diagnostics (no key, no upload credentials)', '$(copy)'),
    3000,
  );
  return text;
}

/**
 * "Kling Voice: Copy Diagnostics of the Last Failure": what the last failure notification's Copy Diagnostics copies
 * (for a notification that was dismissed or has timed out). Returns the text, or undefined when nothing failed yet.
 */
export async function copyLastDiagnostics(): Promise<string | undefined> {
  const failure = lastFailure();
  if (!failure) {
    void vscode.window.showInformationMessage(l10n.t('Nothing has failed in this window yet.'));
    return undefined;
  }
  return copyDiagnostics(failure.what, failure.details);
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
  const setKey = l10n.t('Set API Key');
  const openSettings = l10n.t('Open Settings');
  const showLog = l10n.t('Show Log');
  const deleteVoice = l10n.t('Delete Voice…');
  if (isVoiceLimit(e)) {
    actions.push(deleteVoice);
  }
  if (needsApiKey(e)) {
    actions.push(setKey);
  }
  // The messages about the setting start with its name in every language (a unit test checks the translations).
  const badBaseUrl = isKlingError(e) && e.kind === 'invalidInput' && e.message.startsWith(SETTINGS.apiBaseUrl);
  if (isKlingError(e) && (e.kind === 'http' || e.kind === 'badResponse' || e.kind === 'network' || badBaseUrl)) {
    actions.push(openSettings);
  }
  const copyDiagnosticsAction = l10n.t('Copy Diagnostics');
  actions.push(copyDiagnosticsAction, showLog);
  const full = prefix ? `${prefix}: ${message}` : message;
  const shown = { what: prefix || 'Failure', details: { error: e } };
  rememberFailure(shown);
  const choice = await vscode.window.showErrorMessage(full, ...actions);
  if (choice === copyDiagnosticsAction) {
    await copyDiagnostics(shown.what, shown.details);
  } else if (extra && choice === extra.title) {
    await extra.run();
  } else if (choice === deleteVoice) {
    await vscode.commands.executeCommand(COMMANDS.deleteVoice);
  } else if (choice === setKey) {
    await vscode.commands.executeCommand(COMMANDS.setApiKey);
  } else if (choice === openSettings) {
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.apiBaseUrl);
  } else if (choice === showLog) {
    log.show(true);
  }
}

/**
 * A task followed past klingVoice.taskTimeoutMinutes has not failed: it is still running at Kling. It stays in
 * My Voices (with Check Task), and the account list brings it up to date when it ends.
 */
async function stillRunning(taskId: string | undefined, message: string, log: vscode.LogOutputChannel): Promise<void> {
  log.warn(`still running at Kling: ${message}`);
  const checkTask = l10n.t('Check Task');
  const copyDiagnosticsAction = l10n.t('Copy Diagnostics');
  const shown = { what: 'Task still running after the task timeout', details: { task: { taskId, status: 'running' } } };
  rememberFailure(shown);
  const choice = await vscode.window.showWarningMessage(
    l10n.t('Still running at Kling — check later. {0}', message),
    ...(taskId ? [checkTask] : []),
    copyDiagnosticsAction,
  );
  if (choice === checkTask && taskId) {
    await vscode.commands.executeCommand(COMMANDS.checkTask, taskId);
  } else if (choice === copyDiagnosticsAction) {
    await copyDiagnostics(shown.what, shown.details);
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
      return l10n.t('submitted, waiting to start');
    case 'processing':
      return l10n.t('processing');
    case 'succeed':
      return l10n.t('succeeded');
    case 'failed':
      return l10n.t('failed');
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
      l10n.t(
        'The trial audio link is not a web address ({0}), so it was not opened.',
        url ? url.protocol : l10n.t('not a URL'),
      ),
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
      l10n.t('Voice "{0}" is ready. Voice id: {1}', label, voice.voiceId),
      log,
    );
  } else if (task.status === 'failed') {
    const showLog = l10n.t('Show Log');
    const copyDiagnosticsAction = l10n.t('Copy Diagnostics');
    rememberFailure({ what: 'Task failed', details: { task } });
    const choice = await vscode.window.showErrorMessage(
      l10n.t(
        'Voice "{0}" failed: {1}. Task id {2}.',
        label,
        task.statusMessage || l10n.t('Kling gave no reason'),
        task.taskId,
      ),
      ...(retry ? [retry.title] : []),
      copyDiagnosticsAction,
      showLog,
    );
    if (choice === copyDiagnosticsAction) {
      await copyDiagnostics('Task failed', { task });
    } else if (retry && choice === retry.title) {
      await retry.run();
    } else if (choice === showLog) {
      log.show(true);
    }
  } else {
    const copy = l10n.t('Copy Task ID');
    const choice = await vscode.window.showInformationMessage(
      l10n.t('Task {0} is {1}.', task.taskId, statusLabel(task.status)),
      copy,
    );
    if (choice === copy) {
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
  const copy = l10n.t('Copy Voice ID');
  const open = l10n.t('Open Trial Audio');
  const showLog = l10n.t('Show Log');
  const actions = [copy, ...(trialUrl ? [open] : []), ...(log ? [showLog] : [])];
  const choice = await vscode.window.showInformationMessage(message ?? `${label}: ${voiceId}`, ...actions);
  if (choice === copy) {
    await vscode.env.clipboard.writeText(voiceId);
    void vscode.window.setStatusBarMessage(l10n.t('Copied voice id {0}', voiceId), 3000);
  } else if (choice === open && trialUrl) {
    await openTrialAudio(trialUrl);
  } else if (choice === showLog) {
    log?.show(true);
  }
}
