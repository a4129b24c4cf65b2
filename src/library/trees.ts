import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import type { LibraryItem, VoiceLibrary } from './voiceLibrary';
import { COMMANDS } from '../ids';
import { Disposable } from '../dispose';
import { displayText } from '../shared/displayText';
import { noteSummary, type VoiceNote } from '../shared/voiceNotes';
import { consentLines, type ConsentRecord } from '../shared/consent';
import { goneText } from './gone';

/** The longest server reason shown beside a failed task. */
const MAX_REASON_DISPLAY = 300;

/** What a voice node carries, for the commands its menus run. */
export interface VoiceNode {
  kind: 'voice' | 'task' | 'preset' | 'message';
  label: string;
  voice?: Voice;
  item?: LibraryItem;
  /** A message row: an error's text (shown beside the label; click to retry), or the tooltip of a notice. */
  message?: string;
  /** A message row that is a notice, not an error: its icon, and the command a click runs. */
  notice?: { icon: string; command?: vscode.Command };
}

/** The row My Voices shows when the service has no list of custom voices (many proxies do not route that endpoint). */
export function noListLabel(): string {
  return l10n.t('This service does not list voices: showing the voices created in VS Code.');
}
/** The row My Voices shows when tasks from this machine are listed but no key is stored. */
export function noKeyLabel(): string {
  return l10n.t('Set your API key to load your voices');
}

/** A task's status as Kling names it (submitted, processing, succeed, failed), in the display language. */
function statusWord(status: string): string {
  switch (status) {
    case 'submitted':
      return l10n.t('submitted');
    case 'processing':
      return l10n.t('processing');
    case 'succeed':
      return l10n.t('succeed');
    case 'failed':
      return l10n.t('failed');
    default:
      return status;
  }
}

/** Dates in VS Code's display language (in English, as before: the host's own locale). */
function dateLocale(): string | undefined {
  return vscode.env.language.startsWith('en') ? undefined : vscode.env.language;
}

function when(ts: number | undefined): string {
  return ts ? new Date(ts).toLocaleString(dateLocale()) : '';
}

function voiceTooltip(voice: Voice, extra: string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**`)
    .appendText(displayText(voice.voiceName) || voice.voiceId)
    .appendMarkdown(`**\n\n`);
  md.appendMarkdown(`${l10n.t('Voice id:')} \``)
    .appendText(voice.voiceId)
    .appendMarkdown('`\n\n');
  if (voice.ownedBy) {
    md.appendText(
      `${l10n.t('Owner: {0}', voice.ownedBy === 'kling' ? l10n.t('Kling (preset)') : displayText(voice.ownedBy))}\n\n`,
    );
  }
  for (const line of extra) {
    md.appendText(line).appendMarkdown('\n\n');
  }
  return md;
}

/**
 * A message row of either tree: a notice (its icon, tooltip and command), an error (its text beside the label; a
 * click runs `refreshCommand` to try again), or a loading row.
 */
function messageItem(node: VoiceNode, refreshCommand: string): vscode.TreeItem {
  const t = new vscode.TreeItem(node.label);
  if (node.notice) {
    t.tooltip = node.message;
    t.iconPath = new vscode.ThemeIcon(node.notice.icon);
    t.command = node.notice.command;
    t.contextValue = 'notice';
  } else if (node.message) {
    t.description = node.message;
    t.tooltip = `${node.message}\n\n${l10n.t('Click to try again.')}`;
    t.iconPath = new vscode.ThemeIcon('error');
    t.command = { command: refreshCommand, title: l10n.t('Refresh') };
    t.contextValue = 'error';
  } else {
    t.iconPath = new vscode.ThemeIcon('loading~spin');
  }
  return t;
}

/** What both trees share: they redraw whenever the library changes. */
abstract class LibraryTree extends Disposable implements vscode.TreeDataProvider<VoiceNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;

  constructor(protected readonly _library: VoiceLibrary) {
    super();
    this._register(_library.onDidChange(() => this._onDidChangeTreeData.fire()));
  }

  /** Redraws the tree. */
  refresh(): void {
    this._onDidChangeTreeData.fire();
  }

  abstract getChildren(element?: VoiceNode): VoiceNode[];
  abstract getTreeItem(node: VoiceNode): vscode.TreeItem;
}

/** The lines a voice's notes and consent add to its tooltip. */
function localLines(note: VoiceNote | undefined, consent: ConsentRecord | undefined): string[] {
  const lines: string[] = [];
  if (note?.tags.length) {
    lines.push(l10n.t('Tags: {0}', note.tags.map((t) => `#${t}`).join(' ')));
  }
  if (note?.notes) {
    lines.push(l10n.t('Notes: {0}', note.notes));
  }
  return consent ? [...lines, ...consentLines(consent)] : lines;
}

function markGone(t: vscode.TreeItem): void {
  t.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  t.description = [l10n.t('no longer in your account'), t.description].filter(Boolean).join(' · ');
  t.contextValue = 'voice.gone';
}

/** My Voices' description: "3 voices · 1 running" (and the tag it is filtered by). */
export function countDescription(items: readonly LibraryItem[], tag?: string): string {
  const voices = items.filter((i) => i.status === 'succeed' && i.voice && !i.gone).length;
  const running = items.filter((i) => i.status === 'submitted' || i.status === 'processing').length;
  const parts = [voices === 1 ? l10n.t('1 voice') : l10n.t('{0} voices', voices)];
  if (running) {
    parts.push(l10n.t('{0} running', running));
  }
  if (tag) {
    parts.push(`#${tag}`);
  }
  return parts.join(' · ');
}

/** "My Voices": account voices merged with local tasks (in flight, failed). */
export class VoicesTreeProvider extends LibraryTree {
  private _tag?: string;

  /** The tag My Voices is filtered by (only the voices with it are shown), if any. */
  get tagFilter(): string | undefined {
    return this._tag;
  }

  setTagFilter(tag: string | undefined): void {
    this._tag = tag || undefined;
    this.refresh();
  }

  getChildren(element?: VoiceNode): VoiceNode[] {
    if (element) {
      return [];
    }
    const state = this._library.accountState;
    if (state.kind === 'idle') {
      // The view is shown and nothing is loaded: load the account list (a network call only now, on demand).
      void this._library.refreshAccount();
    }
    const tag = this._tag;
    const nodes: VoiceNode[] = this._library
      .items()
      .filter((item) => !tag || (item.voice && this._library.notes.get(item.voice.voiceId)?.tags.includes(tag)))
      .map((item) =>
        item.status === 'succeed' && item.voice
          ? { kind: 'voice', label: displayText(item.voiceName) || item.voice.voiceId, voice: item.voice, item }
          : { kind: 'task', label: displayText(item.voiceName) || l10n.t('Task {0}', item.taskId), item },
      );
    if (state.kind === 'error') {
      nodes.unshift({ kind: 'message', label: l10n.t('Could not load your voices'), message: state.message });
    } else if (state.kind === 'unsupported') {
      nodes.unshift({
        kind: 'message',
        label: noListLabel(),
        message: l10n.t(
          'The service at klingVoice.apiBaseUrl has no list of custom voices ({0}). Many proxies do not offer it. My Voices shows the voices and tasks created from VS Code for this service; hover and completion know them too. Voices created elsewhere are not listed. If this service should list them, check klingVoice.apiBaseUrl.',
          state.message,
        ),
        notice: { icon: 'info' },
      });
    } else if (state.kind === 'nokey' && nodes.length > 0) {
      // With nothing to show, the welcome view asks for a key; with local tasks listed, this row does.
      nodes.unshift({
        kind: 'message',
        label: noKeyLabel(),
        message: l10n.t(
          'No API key is stored, so your account is not listed: only the tasks created from VS Code are shown. Click to set the key.',
        ),
        notice: { icon: 'key', command: { command: COMMANDS.setApiKey, title: l10n.t('Set API Key') } },
      });
    } else if (state.kind === 'loading' && nodes.length === 0) {
      nodes.push({ kind: 'message', label: l10n.t('Loading your voices…') });
    }
    if (tag) {
      nodes.unshift({
        kind: 'message',
        label: l10n.t('Only voices tagged #{0}: click to show all', tag),
        message: l10n.t('My Voices is filtered by a tag of your notes. Click to show every voice.'),
        notice: { icon: 'filter', command: { command: COMMANDS.clearVoiceFilter, title: l10n.t('Clear Filter') } },
      });
    }
    return nodes;
  }

  getTreeItem(node: VoiceNode): vscode.TreeItem {
    if (node.kind === 'message') {
      return messageItem(node, COMMANDS.refreshVoices);
    }
    const item = node.item as LibraryItem;
    const t = new vscode.TreeItem(node.label);
    t.id = `task:${item.taskId}`;
    const consent = this._library.consentFor(item.taskId);
    if (node.kind === 'voice' && node.voice) {
      const note = this._library.notes.get(node.voice.voiceId);
      const summary = noteSummary(note, 40);
      t.description = [
        summary,
        node.voice.voiceId,
        item.createdAt ? new Date(item.createdAt).toLocaleDateString(dateLocale()) : '',
      ]
        .filter(Boolean)
        .join(' · ');
      t.iconPath = new vscode.ThemeIcon('unmute');
      t.contextValue = node.voice.trialUrl ? 'voice.trial' : 'voice';
      if (item.gone) {
        markGone(t);
      }
      t.tooltip = voiceTooltip(node.voice, [
        ...(item.gone ? [goneText()] : []),
        ...localLines(note, consent),
        l10n.t('Created: {0}', when(item.createdAt)),
        l10n.t('Task id: {0}', item.taskId),
      ]);
      return t;
    }
    switch (item.status) {
      case 'failed':
        t.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        t.description = l10n.t(
          'failed: {0}',
          displayText(item.statusMessage, MAX_REASON_DISPLAY) || l10n.t('no reason given'),
        );
        t.contextValue = 'task.failed';
        break;
      case 'succeed':
        t.iconPath = new vscode.ThemeIcon('pass');
        t.description = l10n.t('succeeded (no voice returned)');
        t.contextValue = 'task.done';
        break;
      default:
        t.iconPath = new vscode.ThemeIcon('loading~spin');
        t.description = item.status === 'submitted' ? l10n.t('submitted…') : l10n.t('processing…');
        t.contextValue = 'task.running';
    }
    t.tooltip = [
      node.label,
      l10n.t('Task id: {0}', item.taskId),
      l10n.t(
        'Status: {0}',
        `${statusWord(item.status)}${item.statusMessage ? ` (${displayText(item.statusMessage, MAX_REASON_DISPLAY)})` : ''}`,
      ),
      l10n.t('Created: {0}', when(item.createdAt)),
      ...(consent ? consentLines(consent) : []),
    ].join('\n');
    return t;
  }
}

/** "Preset Voices": Kling's official voices. */
export class PresetsTreeProvider extends LibraryTree {
  getChildren(element?: VoiceNode): VoiceNode[] {
    if (element) {
      return [];
    }
    const state = this._library.presetState;
    if (state.kind === 'idle') {
      void this._library.refreshPresets();
    }
    switch (state.kind) {
      case 'nokey':
        return []; // the welcome view asks for a key
      case 'loaded':
        return state.items.map((v) => ({ kind: 'preset', label: displayText(v.voiceName) || v.voiceId, voice: v }));
      case 'error':
        return [{ kind: 'message', label: l10n.t('Could not load preset voices'), message: state.message }];
      case 'unsupported':
        return [
          {
            kind: 'message',
            label: l10n.t('This service does not list preset voices.'),
            message: l10n.t(
              'The service at klingVoice.apiBaseUrl has no list of preset voices ({0}). If it should, check klingVoice.apiBaseUrl.',
              state.message,
            ),
            notice: { icon: 'info' },
          },
        ];
      default:
        return [{ kind: 'message', label: l10n.t('Loading preset voices…') }];
    }
  }

  getTreeItem(node: VoiceNode): vscode.TreeItem {
    if (node.kind === 'message') {
      return messageItem(node, COMMANDS.refreshPresets);
    }
    const t = new vscode.TreeItem(node.label);
    const v = node.voice as Voice;
    t.id = `preset:${v.voiceId}`;
    t.description = v.voiceId;
    t.iconPath = new vscode.ThemeIcon('person');
    t.contextValue = v.trialUrl ? 'preset.trial' : 'preset';
    t.tooltip = voiceTooltip(v, []);
    return t;
  }
}
