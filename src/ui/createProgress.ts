// The one way a create started by a person or an agent runs: under a cancellable notification, then announced.
// The palette command, its programmatic form and the agent tools all come through here.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { CreateVoiceInput, KlingError, VoiceTask, validateCreateInput } from '../kling';
import type { VoiceService } from '../service/voiceService';
import type { ConsentGiven } from '../service/consentGate';
import { announce, ErrorAction, signalFor, statusLabel } from './notify';

/**
 * Submits and follows one task under a cancellable notification, then announces the outcome. `signal` (a caller's
 * cancellation, e.g. an agent tool's token) stops it like the notification's Cancel button.
 */
export async function createWithProgress(
  service: VoiceService,
  log: vscode.LogOutputChannel,
  input: CreateVoiceInput,
  wait: boolean,
  retry?: ErrorAction,
  signal?: AbortSignal,
  /** The speaker's consent stated by the caller (an agent tool's confirmation); otherwise the service asks once. */
  consent?: ConsentGiven,
): Promise<VoiceTask> {
  const { errors, warnings } = validateCreateInput(input);
  if (errors.length) {
    throw new KlingError({ kind: 'invalidInput', message: errors.map((e) => e.message).join(' ') });
  }
  for (const w of warnings) {
    log.warn(`create "${input.voiceName.trim()}": ${w.message}`);
  }
  const task = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: l10n.t('Kling voice "{0}"', input.voiceName.trim()),
      cancellable: true,
    },
    (progress, token) => {
      progress.report({ message: l10n.t('submitting…') });
      return service.createVoice(input, {
        signal: either(signalFor(token), signal),
        wait,
        consent,
        onSubmitted: (t) => progress.report({ message: l10n.t('task {0} {1}', t.taskId, statusLabel(t.status)) }),
        onUpdate: (t) => progress.report({ message: l10n.t('task {0} {1}', t.taskId, statusLabel(t.status)) }),
      });
    },
  );
  void announce(task, log, input.voiceName, retry);
  return task;
}

/** A signal that aborts when either does. */
export function either(a: AbortSignal, b: AbortSignal | undefined): AbortSignal {
  if (!b) {
    return a;
  }
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (a.aborted || b.aborted) {
    controller.abort();
  } else {
    a.addEventListener('abort', abort, { once: true });
    b.addEventListener('abort', abort, { once: true });
  }
  return controller.signal;
}
