import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { validateApiKey } from '../service/keyStore';
import { CreateVoiceInput, VoiceTask, isKlingError } from '../kling';
import { VoiceService } from '../service/voiceService';
import { COMMANDS } from '../ids';
import { announce, copyLastDiagnostics, voiceActions, showError, signalFor } from '../ui/notify';
import { createWithProgress } from '../ui/createProgress';
import { runCreateWizard } from './wizard';
import { resumeInFlightTasks } from './resume';

import type { KeyStore } from '../service/keyStore';

export interface CommandDeps {
  keys: KeyStore;
  service: VoiceService;
  log: vscode.LogOutputChannel;
}

type CreateArg = CreateVoiceInput & { wait?: boolean };

function isCreateArg(v: unknown): v is CreateArg {
  return typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && 'voiceName' in v;
}

/** The palette commands' handlers by id (registered by ./register.ts, this file is loaded on first use). */
export function paletteCommands(deps: CommandDeps) {
  return {
    [COMMANDS.setApiKey]: setApiKeyCommand(deps),
    [COMMANDS.clearApiKey]: clearApiKeyCommand(deps),
    [COMMANDS.resumeTasks]: resumeTasksCommand(deps),
    [COMMANDS.cancelTasks]: cancelTasksCommand(deps),
    [COMMANDS.createVoice]: createVoiceCommand(deps),
    [COMMANDS.checkTask]: checkTaskCommand(deps),
    [COMMANDS.listPresetVoices]: listPresetVoicesCommand(deps),
    [COMMANDS.deleteVoice]: deleteVoiceCommand(deps),
    [COMMANDS.copyDiagnostics]: copyLastDiagnostics,
  };
}

/** Stores the key given as argument, or asks for it. True when a key was stored. */
function setApiKeyCommand({ keys, log }: CommandDeps) {
  return async (arg?: unknown): Promise<boolean> => {
    if (typeof arg === 'string') {
      await keys.set(arg);
      log.info('API key stored');
      return true;
    }
    const key = await vscode.window.showInputBox({
      title: l10n.t('Kling Voice: Set API Key'),
      prompt: l10n.t(
        "Your Kling API key, or the key of your proxy (e.g. ChainHub). It is kept in VS Code's secret storage and sent only to klingVoice.apiBaseUrl.",
      ),
      password: true,
      ignoreFocusOut: true,
      validateInput: validateApiKey,
    });
    if (key === undefined) {
      return false;
    }
    await keys.set(key);
    log.info('API key stored');
    void vscode.window.showInformationMessage(l10n.t('Kling API key saved in secret storage.'));
    return true;
  };
}

function clearApiKeyCommand({ keys, log }: CommandDeps) {
  return async (): Promise<void> => {
    await keys.clear();
    log.info('API key cleared');
    void vscode.window.showInformationMessage(l10n.t('Kling API key removed.'));
  };
}

/** Follows the tasks still in flight again; returns how many there are. */
function resumeTasksCommand({ service, log }: CommandDeps) {
  return async (): Promise<number> => {
    await Promise.all(resumeInFlightTasks(service, log));
    return service.history.inFlight(service.currentBaseUrl()).length;
  };
}

/** Stops following every task; returns how many were stopped. */
function cancelTasksCommand({ service, log }: CommandDeps) {
  return (): number => {
    const n = service.cancelAll();
    log.info(`cancelled ${n} running operation(s)`);
    if (n === 0) {
      void vscode.window.showInformationMessage(l10n.t('No Kling voice task is being followed.'));
    }
    return n;
  };
}

/** With a create argument (another extension), creates at once; otherwise runs the wizard, asking for a key first. */
function createVoiceCommand({ keys, service, log }: CommandDeps) {
  return async (arg?: unknown): Promise<VoiceTask | undefined> => {
    if (isCreateArg(arg)) {
      try {
        return await createWithProgress(service, log, arg, arg.wait !== false);
      } catch (e) {
        void showError(e, log, l10n.t('Could not create voice "{0}"', String(arg.voiceName ?? '')));
        throw e;
      }
    }
    if (!(await keys.get())) {
      const setKey = l10n.t('Set API Key');
      const set = await vscode.window.showWarningMessage(
        l10n.t('Set your Kling API key before creating a voice.'),
        setKey,
      );
      if (set !== setKey || !(await vscode.commands.executeCommand<boolean>(COMMANDS.setApiKey))) {
        return undefined;
      }
    }
    return createInteractively(service, log);
  };
}

/** Checks the task given as argument, or asks for its id. Throws only when called with an id. */
function checkTaskCommand({ service, log }: CommandDeps) {
  return async (arg?: unknown): Promise<VoiceTask | undefined> => {
    const taskId =
      typeof arg === 'string'
        ? arg
        : await vscode.window.showInputBox({
            title: l10n.t('Kling Voice: Check Task'),
            prompt: l10n.t(
              'Task id (returned when the voice was created; not the voice id), or the external task id it was created with',
            ),
            ignoreFocusOut: true,
            validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : l10n.t('Enter a task id without spaces.')),
          });
    if (!taskId) {
      return undefined;
    }
    try {
      const task = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: l10n.t('Checking task {0}…', taskId),
          cancellable: true,
        },
        (_p, token) => service.checkTask(taskId.trim(), signalFor(token)),
      );
      void announce(task, log, undefined);
      return task;
    } catch (e) {
      void showError(e, log, l10n.t('Could not check task {0}', taskId));
      if (typeof arg === 'string') {
        throw e;
      }
      return undefined;
    }
  };
}

/** Lists the preset voices in a quick pick and offers the actions for the one picked. */
function listPresetVoicesCommand({ service, log }: CommandDeps) {
  return async () => {
    try {
      const voices = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: l10n.t('Loading preset voices…'), cancellable: true },
        (_p, token) => service.listPresetVoices(signalFor(token)),
      );
      if (!voices.length) {
        void vscode.window.showInformationMessage(l10n.t('The service returned no preset voices.'));
        return voices;
      }
      const picked = await vscode.window.showQuickPick(
        voices.map((v) => ({
          label: v.voiceName || v.voiceId,
          description: v.voiceId,
          detail: v.trialUrl ? l10n.t('Trial audio available') : undefined,
          voice: v,
        })),
        {
          title: l10n.t('Preset voices ({0})', voices.length),
          placeHolder: l10n.t('Pick a voice to copy its id or play its trial audio'),
          matchOnDescription: true,
        },
      );
      if (picked) {
        await voiceActions(picked.voice.voiceId, picked.voice.trialUrl, picked.label);
      }
      return voices;
    } catch (e) {
      void showError(e, log, l10n.t('Could not list preset voices'));
      return undefined;
    }
  };
}

/** Deletes one voice (or several from the tree) after confirmation. True when everything asked for was deleted. */
function deleteVoiceCommand({ service, log }: CommandDeps) {
  return async (arg?: unknown, selected?: unknown): Promise<boolean> => {
    // From the palette (no argument), another extension (a voice id) or the My Voices tree (a node with a voice;
    // with several nodes selected, the tree passes them all as the second argument).
    const many = Array.isArray(selected)
      ? selected.map(treeVoice).filter((v): v is { voiceId: string; label: string } => !!v)
      : [];
    if (many.length > 1) {
      return deleteVoices(service, log, many);
    }
    const fromTree =
      typeof arg === 'object' && arg !== null
        ? (arg as { voice?: { voiceId?: unknown; voiceName?: unknown } }).voice
        : undefined;
    let voiceId = typeof arg === 'string' ? arg : typeof fromTree?.voiceId === 'string' ? fromTree.voiceId : undefined;
    let label = typeof fromTree?.voiceName === 'string' && fromTree.voiceName ? fromTree.voiceName : voiceId;
    if (!voiceId) {
      const pickedId = await pickOwnVoice(service, log);
      if (!pickedId) {
        return false;
      }
      voiceId = pickedId.voiceId;
      label = pickedId.label;
    }
    return deleteOneVoice(service, log, voiceId, label ?? voiceId);
  };
}

/** Confirms, then deletes one voice. True when it was deleted. */
async function deleteOneVoice(
  service: VoiceService,
  log: vscode.LogOutputChannel,
  voiceId: string,
  label: string,
): Promise<boolean> {
  const remove = l10n.t('Delete');
  const ok = await vscode.window.showWarningMessage(
    l10n.t('Delete voice "{0}"?', label),
    {
      modal: true,
      detail: l10n.t(
        'Voice id {0}. Videos already made keep their sound, but the id can no longer be used. This cannot be undone.',
        voiceId,
      ),
    },
    remove,
  );
  if (ok !== remove) {
    return false;
  }
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: l10n.t('Deleting voice {0}…', label) },
      () => service.deleteVoice(voiceId),
    );
    void vscode.window.showInformationMessage(l10n.t('Voice "{0}" deleted.', label));
    return true;
  } catch (e) {
    void showError(e, log, l10n.t('Could not delete voice {0}', label));
    return false;
  }
}

/** The voice of a My Voices node, if it has one. */
function treeVoice(node: unknown): { voiceId: string; label: string } | undefined {
  const voice =
    typeof node === 'object' && node !== null
      ? (node as { voice?: { voiceId?: unknown; voiceName?: unknown } }).voice
      : undefined;
  if (typeof voice?.voiceId !== 'string' || !voice.voiceId) {
    return undefined;
  }
  return {
    voiceId: voice.voiceId,
    label: typeof voice.voiceName === 'string' && voice.voiceName ? voice.voiceName : voice.voiceId,
  };
}

/** Deletes several voices after one confirmation; one failure does not stop the others. True when all went. */
async function deleteVoices(
  service: VoiceService,
  log: vscode.LogOutputChannel,
  voices: { voiceId: string; label: string }[],
): Promise<boolean> {
  const names = voices.slice(0, 10).map((v) => `• ${v.label} (${v.voiceId})`);
  if (voices.length > 10) {
    names.push(`• ${l10n.t('and {0} more', voices.length - 10)}`);
  }
  const removeAll = l10n.t('Delete All');
  const ok = await vscode.window.showWarningMessage(
    l10n.t('Delete {0} voices?', voices.length),
    {
      modal: true,
      detail: `${names.join('\n')}\n\n${l10n.t('Videos already made keep their sound, but these ids can no longer be used. This cannot be undone.')}`,
    },
    removeAll,
  );
  if (ok !== removeAll) {
    return false;
  }
  const failed: string[] = [];
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: l10n.t('Deleting {0} voices', voices.length),
      cancellable: true,
    },
    async (progress, token) => {
      for (const [i, v] of voices.entries()) {
        if (token.isCancellationRequested) {
          failed.push(l10n.t('{0} (not attempted: cancelled)', v.label));
          continue;
        }
        progress.report({ message: `${i + 1}/${voices.length}: ${v.label}`, increment: 100 / voices.length });
        try {
          await service.deleteVoice(v.voiceId, signalFor(token));
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          log.error(`could not delete voice ${v.label} (${v.voiceId}): ${message}`);
          failed.push(`${v.label}: ${message}`);
        }
      }
    },
  );
  if (failed.length) {
    void vscode.window
      .showErrorMessage(
        l10n.t(
          'Deleted {0} of {1} voices. Not deleted: {2}',
          voices.length - failed.length,
          voices.length,
          failed.join('; '),
        ),
        l10n.t('Show Log'),
      )
      .then((c) => c && log.show(true));
    return false;
  }
  void vscode.window.showInformationMessage(l10n.t('Deleted {0} voices.', voices.length));
  return true;
}

/** Lets the user pick one of their voices, typing an id by hand when the list is not available. */
async function pickOwnVoice(
  service: VoiceService,
  log: vscode.LogOutputChannel,
): Promise<{ voiceId: string; label: string } | undefined> {
  let tasks: VoiceTask[] | undefined;
  try {
    tasks = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: l10n.t('Loading your voices…'), cancellable: true },
      (_p, token) => service.listCustomVoices(signalFor(token)),
    );
  } catch (e) {
    log.warn(`could not list voices: ${e instanceof Error ? e.message : String(e)}`);
  }
  const voices = (tasks ?? []).flatMap((t) => t.voices.map((v) => ({ v, t })));
  if (voices.length) {
    const picked = await vscode.window.showQuickPick(
      voices.map(({ v, t }) => ({
        label: v.voiceName || v.voiceId,
        description: v.voiceId,
        detail: t.createdAt ? l10n.t('Created {0}', new Date(t.createdAt).toLocaleString()) : undefined,
        id: v.voiceId,
      })),
      { title: l10n.t('Delete which voice?'), matchOnDescription: true },
    );
    return picked ? { voiceId: picked.id, label: picked.label } : undefined;
  }
  const typed = await vscode.window.showInputBox({
    title: l10n.t('Kling Voice: Delete Voice'),
    prompt: tasks
      ? l10n.t('No voices were found in your account. Enter a voice id to delete.')
      : l10n.t('The voice list could not be loaded. Enter the voice id to delete.'),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : l10n.t('Enter a voice id without spaces.')),
  });
  return typed ? { voiceId: typed.trim(), label: typed.trim() } : undefined;
}

/**
 * The palette flow: the multi-step input, then submit and follow. When the request is refused or the task
 * fails, "Edit and Retry" opens the input again with every answer kept, so nothing typed is lost. It is not
 * offered when the request may have reached Kling (a retry could create a second task) or is still running.
 */
async function createInteractively(
  service: VoiceService,
  log: vscode.LogOutputChannel,
  initial?: CreateVoiceInput,
): Promise<VoiceTask | undefined> {
  const input = await runCreateWizard(initial);
  if (!input) {
    return undefined;
  }
  // A retried request gets a fresh external id unless the user chose one.
  const retry = { title: l10n.t('Edit and Retry'), run: () => createInteractively(service, log, input) };
  try {
    return await createWithProgress(service, log, input, true, retry);
  } catch (e) {
    const safeToRetry = !isKlingError(e) || !['ambiguous', 'taskTimeout', 'cancelled'].includes(e.kind);
    void showError(e, log, l10n.t('Could not create voice "{0}"', input.voiceName), safeToRetry ? retry : undefined);
    return undefined;
  }
}
