// The command's questions and answers: modals, input boxes and the closing summary.
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { reportMarkdown, summaryLine } from '../audio';
import { formatNumber } from '../shared/format';
import { validateVoiceName } from '../kling';
import { COMMANDS, SETTINGS, VSCODE_COMMANDS } from '../ids';
import type { UploadError } from '../upload';
import { showError, statusLabel } from '../ui/notify';
import type { FileOutcome } from './batch';
import type { Prepared } from './inspect';
import type { FromFileDeps } from './types';

export async function openReport(file: Prepared): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: reportMarkdown(file.probe, file.report, file.trimmed),
  });
  await vscode.commands
    .executeCommand(VSCODE_COMMANDS.markdownPreview, doc.uri)
    .then(undefined, () => vscode.window.showTextDocument(doc));
}

/** Explains a missing provider and offers the two ways forward. */
export async function explainNoProvider(): Promise<void> {
  const configure = l10n.t('Configure Upload');
  const paste = l10n.t('Paste a URL Instead');
  const choice = await vscode.window.showErrorMessage(
    l10n.t(
      'Kling downloads voice samples from a URL, and no upload provider is set. Set klingVoice.upload.provider to "s3" (your own bucket) or "http" (an upload endpoint), or paste a public URL of the file.',
    ),
    configure,
    paste,
  );
  if (choice === configure) {
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.upload);
  } else if (choice === paste) {
    await vscode.commands.executeCommand(COMMANDS.createVoice);
  }
}

export async function showUploadError(e: UploadError, log: vscode.LogOutputChannel, prefix: string): Promise<void> {
  log.error(`${prefix}: ${e.message}`);
  const settings = l10n.t('Open Upload Settings');
  const creds = l10n.t('Set Upload Credentials');
  const showLog = l10n.t('Show Log');
  const choice = await vscode.window.showErrorMessage(`${prefix}: ${e.message}`, settings, creds, showLog);
  if (choice === settings) {
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.upload);
  } else if (choice === creds) {
    await vscode.commands.executeCommand(COMMANDS.setUploadCredentials);
  } else if (choice === showLog) {
    log.show(true);
  }
}

/** Interactive form of requireApiKey: offers to set the key; true when one is stored afterwards. */
export async function ensureApiKeyInteractively(deps: FromFileDeps): Promise<boolean> {
  if (await deps.service.hasApiKey()) {
    return true;
  }
  const setKey = l10n.t('Set API Key');
  const choice = await vscode.window.showWarningMessage(
    l10n.t('Set your Kling API key before creating a voice: nothing has been uploaded.'),
    setKey,
  );
  return choice === setKey && (await vscode.commands.executeCommand<boolean>(COMMANDS.setApiKey)) === true;
}

export async function askName(file: Prepared, suggested: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: l10n.t('Create Kling Voice from {0}', file.displayName),
    prompt: `${summaryLine(file.probe, file.report)}${
      file.trimmed
        ? ` · ${l10n.t('sending {0}–{1} s', formatNumber(file.trimmed.startSec, 1), formatNumber(file.trimmed.endSec, 1))}`
        : ''
    }. ${l10n.t('Name the voice (1–20 characters).')}`,
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (v) => validateVoiceName(v),
  });
}

/** A modal with the quality warnings; "Show Report" opens the full report and asks again. */
export async function confirmWarnings(file: Prepared): Promise<boolean> {
  const go = l10n.t('Upload and Create');
  const show = l10n.t('Show Report');
  for (;;) {
    const choice = await vscode.window.showWarningMessage(
      l10n.t('{0}: {1} thing(s) to check before sending', file.displayName, file.report?.warnings.length ?? 0),
      {
        modal: true,
        detail: `${file.report?.warnings.map((w) => `• ${w}`).join('\n')}\n\n${summaryLine(file.probe, file.report)}`,
      },
      go,
      show,
    );
    if (choice === show) {
      await openReport(file);
      continue;
    }
    return choice === go;
  }
}

export async function confirmBatch(ready: Prepared[], refused: number, names: Map<Prepared, string>): Promise<boolean> {
  const go = ready.length === 1 ? l10n.t('Create 1 Voice') : l10n.t('Create {0} Voices', ready.length);
  const lines = ready.map(
    (f) =>
      `• ${names.get(f)} ← ${f.displayName} (${summaryLine(f.probe, f.report)})${f.report?.warnings.length ? `\n   ⚠ ${f.report.warnings.join('\n   ⚠ ')}` : ''}`,
  );
  const choice = await vscode.window.showInformationMessage(
    ready.length > 1 ? l10n.t('Create {0} voices from files?', ready.length) : l10n.t('Create 1 voice from files?'),
    {
      modal: true,
      detail: `${lines.join('\n')}${refused ? `\n\n${l10n.t('{0} file(s) cannot be used (see the log).', refused)}` : ''}`,
    },
    go,
  );
  return choice === go;
}

export async function summarize(deps: FromFileDeps, outcomes: FileOutcome[], ask: boolean): Promise<void> {
  const count = (s: FileOutcome['status'][]) => outcomes.filter((o) => s.includes(o.status)).length;
  const ok = count(['succeed']);
  const running = count(['submitted', 'processing']);
  const failed = count(['failed', 'error']);
  const refused = count(['refused']);
  const cancelled = count(['cancelled']);
  for (const o of outcomes) {
    deps.log.info(
      `from file: ${o.file} → ${o.status}${o.voiceName ? ` "${o.voiceName}"` : ''}${o.task ? ` task ${o.task.taskId}` : ''}${o.message ? `: ${o.message}` : ''}`,
    );
  }
  if (outcomes.length === 1) {
    const o = outcomes[0];
    if (o.status === 'succeed') {
      const id = o.task?.voices[0]?.voiceId ?? '';
      const copy = l10n.t('Copy Voice ID');
      const choice = await vscode.window.showInformationMessage(
        l10n.t('Voice "{0}" created (voice id {1}).', String(o.voiceName), id),
        copy,
      );
      if (choice === copy) {
        await vscode.env.clipboard.writeText(id);
      }
    } else if (o.status === 'failed') {
      void vscode.window
        .showErrorMessage(
          l10n.t(
            'Kling could not create the voice "{0}": {1}.',
            String(o.voiceName),
            o.message ?? l10n.t('the task failed'),
          ),
          l10n.t('Show Log'),
        )
        .then((c) => c && deps.log.show(true));
    } else if (o.status === 'error' && o.message) {
      void showError(new Error(o.message), deps.log, l10n.t('Create voice from file'));
    } else if (o.status === 'submitted' || o.status === 'processing') {
      void vscode.window.showInformationMessage(
        l10n.t('Voice "{0}" submitted; it is {1}.', String(o.voiceName), statusLabel(o.status)),
      );
    }
    return;
  }
  const parts = [l10n.t('{0} of {1} voices created', ok, outcomes.length)];
  if (running) {
    parts.push(l10n.t('{0} still running', running));
  }
  if (failed) {
    parts.push(l10n.t('{0} failed', failed));
  }
  if (refused) {
    parts.push(l10n.t('{0} refused', refused));
  }
  if (cancelled) {
    parts.push(l10n.t('{0} cancelled', cancelled));
  }
  const problems = outcomes.filter((o) => ['failed', 'error', 'refused'].includes(o.status));
  const text = `${parts.join(', ')}.${problems.length ? ` ${problems.map((p) => `${decodeURIComponent(p.file.split('/').pop() ?? p.file)}: ${p.message ?? p.status}`).join(' ')}` : ''}`;
  const show = problems.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  if (ask || problems.length) {
    void show(text, l10n.t('Show Log')).then((c) => c && deps.log.show(true));
  }
}

/**
 * Files longer than 30 s that could be cut: send the suggested window, open the trimmer (one file), or neither.
 * `what` says which files; `single` is true when the command has one file.
 */
export async function askTrim(what: string, single: boolean): Promise<'window' | 'trimmer' | undefined> {
  const useWindow = l10n.t('Use Suggested Window');
  const openTrimmer = l10n.t('Open Trimmer');
  const choice = await vscode.window.showWarningMessage(
    what,
    {
      modal: true,
      detail:
        l10n.t(
          'The suggested window is the 5–30 s stretch with the most speech and the least silence and clipping. It is sent as a mono 16-bit WAV; the original file is not changed.',
        ) +
        (single
          ? ` ${l10n.t('Open Trimmer shows the waveform and the quality report, and lets you pick the window yourself.')}`
          : ''),
    },
    ...(single ? [useWindow, openTrimmer] : [useWindow]),
  );
  return choice === useWindow ? 'window' : choice === openTrimmer ? 'trimmer' : undefined;
}
