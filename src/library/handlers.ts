// The handlers of the library's commands (My Voices, Preset Voices, notes, snippets, Use This Voice). A lazy feature
// (src/lazy.ts): ./register.ts registers the commands, this file is loaded on the first of them.
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { readSettings } from '../config';
import { snippetText, SnippetFormat } from './snippet';
import { COMMANDS } from '../ids';
import { copyDiagnostics, openTrialAudio, showError } from '../ui/notify';
import { entryFailedAnswer } from '../history/taskHistory';
import type { Voice } from '../kling';
import { TrialPlayer } from '../trialPlayer/trialPlayer';
import { insertText } from './insert';
import { voicePickItems } from './voicePicks';
import { useVoiceCommand } from './useVoice';
import { refuseGoneVoices } from './gone';
import type { VoiceLibrary } from './voiceLibrary';
import { notesCommands } from './notesCommands';
import type { KeyStore } from '../service/keyStore';
import type { VoiceService } from '../service/voiceService';
import type { VoiceNode, VoicesTreeProvider } from './trees';

export interface LibraryDeps {
  service: VoiceService;
  library: VoiceLibrary;
  log: vscode.LogOutputChannel;
  keys: KeyStore;
  extensionUri: vscode.Uri;
}

/** What the library commands work with (./register.ts gives it; this file is loaded on the first command). */
export interface LibraryCommandContext extends LibraryDeps {
  voices: VoicesTreeProvider;
  lastEditor: () => vscode.TextEditor | undefined;
  /** Keeps something the commands made (the trial tab) until the extension is deactivated. */
  own(disposable: vscode.Disposable): void;
}

function isNode(v: unknown): v is VoiceNode {
  return typeof v === 'object' && v !== null && 'kind' in v && 'label' in v;
}

/** The voice a command was called for: a tree node, a voice id string, or a pick from the library. */
async function resolveVoice(arg: unknown, library: VoiceLibrary, purpose: string): Promise<Voice | undefined> {
  if (isNode(arg) && arg.voice) {
    return arg.voice;
  }
  if (typeof arg === 'string' && arg.trim()) {
    return library.findVoice(arg.trim()) ?? { voiceId: arg.trim(), voiceName: '' };
  }
  const picks = await voicePickItems(library);
  if (!picks) {
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(picks, {
    title: purpose,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked?.voice;
}

/** What the handlers work with: the library's deps and context, and the trial player's tab. */
interface HandlerContext extends LibraryCommandContext {
  player: TrialPlayer;
}

/** The handlers by command id (TypeScript checks ./register.ts's list against these keys). */
export function libraryCommands(context: LibraryCommandContext) {
  const { library, log, keys, extensionUri } = context;
  const player = new TrialPlayer({ extensionUri, keys, log });
  context.own(player);
  const ctx: HandlerContext = { ...context, player };
  return {
    [COMMANDS.removeFromList]: removeFromListCommand(ctx),
    [COMMANDS.copyVoiceId]: copyVoiceIdCommand(ctx),
    [COMMANDS.playTrial]: playTrialCommand(ctx),
    [COMMANDS.openTrialAudio]: openTrialAudioCommand(ctx),
    [COMMANDS.checkTaskFromTree]: checkTaskFromTree,
    [COMMANDS.copyTaskDiagnostics]: copyTaskDiagnosticsCommand(ctx),
    [COMMANDS.insertSnippet]: insertSnippetCommand(ctx),
    [COMMANDS.useVoice]: useVoiceCommand(library, ctx.lastEditor),
    ...notesCommands({ library, tree: ctx.voices, log }),
  };
}

/** The voice a trial command is for, with its trial URL (from the library when the argument has none). */
async function trialOf(
  library: VoiceLibrary,
  arg: unknown,
  purpose: string,
): Promise<{ voice: Voice; url: string } | undefined> {
  const voice = await resolveVoice(arg, library, purpose);
  if (!voice) {
    return undefined;
  }
  const url = voice.trialUrl ?? library.findVoice(voice.voiceId)?.trialUrl;
  if (!url) {
    void vscode.window.showInformationMessage(
      l10n.t('Voice "{0}" has no trial audio.', voice.voiceName || voice.voiceId),
    );
    return undefined;
  }
  return { voice, url };
}

/** Failed (or voiceless) tasks leave My Voices for good; running tasks and voices are not removed this way. */
function removeFromListCommand({ service, log }: HandlerContext) {
  return async (arg?: unknown, selected?: unknown): Promise<number> => {
    const nodes = (Array.isArray(selected) && selected.length ? selected : [arg]).filter(isNode);
    const ids = nodes.flatMap((n) =>
      (n.kind === 'task' && n.item && (n.item.status === 'failed' || n.item.status === 'succeed')) || n.item?.gone
        ? [n.item.taskId]
        : [],
    );
    if (!ids.length) {
      return 0;
    }
    await service.history.hide(ids);
    log.info(`removed ${ids.length} task(s) from My Voices: ${ids.join(', ')}`);
    void vscode.window.setStatusBarMessage(
      `$(close) ${ids.length === 1 ? l10n.t('Removed a task from My Voices') : l10n.t('Removed {0} tasks from My Voices', ids.length)}`,
      3000,
    );
    return ids.length;
  };
}

function copyVoiceIdCommand({ library }: HandlerContext) {
  return async (arg?: unknown): Promise<string | undefined> => {
    const voice = await resolveVoice(arg, library, l10n.t('Copy the id of which voice?'));
    if (!voice) {
      return undefined;
    }
    await vscode.env.clipboard.writeText(voice.voiceId);
    void vscode.window.setStatusBarMessage(`$(copy) ${l10n.t('Copied voice id {0}', voice.voiceId)}`, 3000);
    return voice.voiceId;
  };
}

/** Plays in a tab beside the code; a link a webview may not play (plain http off this machine) opens outside. */
function playTrialCommand({ library, player }: HandlerContext) {
  return async (arg?: unknown) => {
    const trial = await trialOf(library, arg, l10n.t('Play the trial audio of which voice?'));
    if (!trial) {
      return false;
    }
    // The tab plays the voice's sample beside the trial when the history knows where it came from (A/B listen).
    const played = player.play({ ...trial.voice, trialUrl: trial.url }, library.sampleOrigin(trial.voice));
    return played || openTrialAudio(trial.url);
  };
}

function openTrialAudioCommand({ library }: HandlerContext) {
  return async (arg?: unknown) => {
    const trial = await trialOf(library, arg, l10n.t('Open the trial audio of which voice?'));
    return trial ? openTrialAudio(trial.url) : false;
  };
}

async function checkTaskFromTree(arg?: unknown): Promise<unknown> {
  if (isNode(arg) && arg.item) {
    return vscode.commands.executeCommand(COMMANDS.checkTask, arg.item.taskId);
  }
  return vscode.commands.executeCommand(COMMANDS.checkTask);
}

/**
 * "Copy Diagnostics" on a failed task in My Voices (a node, or a task id): the report of its notification, from the
 * history, which outlives the notification and the window (the answer's request id and HTTP status included).
 */
function copyTaskDiagnosticsCommand({ service, library }: HandlerContext) {
  return async (arg?: unknown): Promise<string | undefined> => {
    const taskId = isNode(arg) ? arg.item?.taskId : typeof arg === 'string' ? arg.trim() : undefined;
    const entry = taskId ? service.history.get(taskId) : undefined;
    const item = taskId ? library.items().find((i) => i.taskId === taskId) : undefined;
    if (!taskId || (!entry && !item)) {
      return undefined;
    }
    const status = entry?.status ?? item?.status;
    const task = {
      taskId,
      status,
      statusMessage: entry?.statusMessage ?? item?.statusMessage,
      externalTaskId: entry?.externalTaskId,
      ...(entry ? entryFailedAnswer(entry) : {}),
    };
    return copyDiagnostics(status === 'failed' ? 'Task failed' : `Task ${status ?? 'unknown'}`, { task });
  };
}

/** Inserts a video request for a voice, as JSON or curl, at the cursor of the editor in use (or a new one). */
function insertSnippetCommand({ library, log, lastEditor }: HandlerContext) {
  return async (arg?: unknown, formatArg?: unknown, ifGone?: unknown): Promise<boolean> => {
    const voice = await resolveVoice(arg, library, l10n.t('Insert a video request for which voice?'));
    if (!voice || (await refuseGoneVoices(library, [voice], ifGone === 'insert' ? 'insert' : undefined))) {
      return false;
    }
    const format = formatArg === 'json' || formatArg === 'curl' ? formatArg : await pickSnippetFormat(voice);
    if (!format) {
      return false;
    }
    const text = snippetText(voice, format, readSettings().apiBaseUrl);
    try {
      return await insertText(text, format, lastEditor());
    } catch (e) {
      void showError(e, log, l10n.t('Could not insert the snippet'));
      return false;
    }
  };
}

async function pickSnippetFormat(voice: Voice): Promise<SnippetFormat | undefined> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: l10n.t('JSON body'), description: l10n.t('for POST /v1/videos/text2video'), format: 'json' as const },
      {
        label: l10n.t('curl command'),
        description: l10n.t('reads the key from $KLING_API_KEY'),
        format: 'curl' as const,
      },
    ],
    { title: l10n.t('Kling V2.6 video request using "{0}"', voice.voiceName || voice.voiceId) },
  );
  return picked?.format;
}
