import * as vscode from 'vscode';
import type { Voice } from '../kling';
import { LibraryItem, VoiceLibrary } from './library';

/** What a voice node carries, for the commands its menus run. */
export interface VoiceNode {
  kind: 'voice' | 'task' | 'preset' | 'message';
  label: string;
  voice?: Voice;
  item?: LibraryItem;
  message?: string;
}

function when(ts: number | undefined): string {
  return ts ? new Date(ts).toLocaleString() : '';
}

function voiceTooltip(voice: Voice, extra: string[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**`).appendText(voice.voiceName || voice.voiceId).appendMarkdown(`**\n\n`);
  md.appendMarkdown('Voice id: `').appendText(voice.voiceId).appendMarkdown('`\n\n');
  if (voice.ownedBy) {
    md.appendText(`Owner: ${voice.ownedBy === 'kling' ? 'Kling (preset)' : voice.ownedBy}\n\n`);
  }
  for (const line of extra) {
    md.appendText(line).appendMarkdown('\n\n');
  }
  return md;
}

/** What both trees share: they redraw whenever the library changes. */
abstract class LibraryTree implements vscode.TreeDataProvider<VoiceNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  private readonly _sub: vscode.Disposable;

  constructor(protected readonly _library: VoiceLibrary) {
    this._sub = _library.onDidChange(() => this._onDidChangeTreeData.fire());
  }

  abstract getChildren(element?: VoiceNode): VoiceNode[];
  abstract getTreeItem(node: VoiceNode): vscode.TreeItem;

  dispose(): void {
    this._sub.dispose();
    this._onDidChangeTreeData.dispose();
  }
}

/** "My Voices": account voices merged with local tasks (in flight, failed). */
export class VoicesTreeProvider extends LibraryTree {

  getChildren(element?: VoiceNode): VoiceNode[] {
    if (element) {
      return [];
    }
    const state = this._library.accountState;
    if (state.kind === 'idle') {
      // The view is shown and nothing is loaded: load the account list (a network call only now, on demand).
      void this._library.refreshAccount();
    }
    const nodes: VoiceNode[] = this._library.items().map((item) =>
      item.status === 'succeed' && item.voice
        ? { kind: 'voice', label: item.voiceName || item.voice.voiceId, voice: item.voice, item }
        : { kind: 'task', label: item.voiceName || `Task ${item.taskId}`, item },
    );
    if (state.kind === 'error') {
      nodes.unshift({ kind: 'message', label: 'Could not load your voices', message: state.message });
    } else if (state.kind === 'loading' && nodes.length === 0) {
      nodes.push({ kind: 'message', label: 'Loading your voices…' });
    }
    return nodes;
  }

  getTreeItem(node: VoiceNode): vscode.TreeItem {
    if (node.kind === 'message') {
      const t = new vscode.TreeItem(node.label);
      if (node.message) {
        t.description = node.message;
        t.tooltip = `${node.message}\n\nClick to try again.`;
        t.iconPath = new vscode.ThemeIcon('error');
        t.command = { command: 'klingVoice.refreshVoices', title: 'Refresh' };
        t.contextValue = 'error';
      } else {
        t.iconPath = new vscode.ThemeIcon('loading~spin');
      }
      return t;
    }
    const item = node.item as LibraryItem;
    const t = new vscode.TreeItem(node.label);
    t.id = `task:${item.taskId}`;
    if (node.kind === 'voice' && node.voice) {
      t.description = item.createdAt ? `${node.voice.voiceId} · ${new Date(item.createdAt).toLocaleDateString()}` : node.voice.voiceId;
      t.iconPath = new vscode.ThemeIcon('unmute');
      t.contextValue = node.voice.trialUrl ? 'voice.trial' : 'voice';
      t.tooltip = voiceTooltip(node.voice, [`Created: ${when(item.createdAt)}`, `Task id: ${item.taskId}`]);
      return t;
    }
    switch (item.status) {
      case 'failed':
        t.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
        t.description = `failed: ${item.statusMessage || 'no reason given'}`;
        t.contextValue = 'task.failed';
        break;
      case 'succeed':
        t.iconPath = new vscode.ThemeIcon('pass');
        t.description = 'succeeded (no voice returned)';
        t.contextValue = 'task.done';
        break;
      default:
        t.iconPath = new vscode.ThemeIcon('loading~spin');
        t.description = item.status === 'submitted' ? 'submitted…' : 'processing…';
        t.contextValue = 'task.running';
    }
    t.tooltip = `${node.label}\nTask id: ${item.taskId}\nStatus: ${item.status}${item.statusMessage ? ` (${item.statusMessage})` : ''}\nCreated: ${when(item.createdAt)}`;
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
        return state.items.map((v) => ({ kind: 'preset', label: v.voiceName || v.voiceId, voice: v }));
      case 'error':
        return [{ kind: 'message', label: 'Could not load preset voices', message: state.message }];
      default:
        return [{ kind: 'message', label: 'Loading preset voices…' }];
    }
  }

  getTreeItem(node: VoiceNode): vscode.TreeItem {
    const t = new vscode.TreeItem(node.label);
    if (node.kind === 'message') {
      if (node.message) {
        t.description = node.message;
        t.tooltip = `${node.message}\n\nClick to try again.`;
        t.iconPath = new vscode.ThemeIcon('error');
        t.command = { command: 'klingVoice.refreshPresets', title: 'Refresh' };
      } else {
        t.iconPath = new vscode.ThemeIcon('loading~spin');
      }
      return t;
    }
    const v = node.voice as Voice;
    t.id = `preset:${v.voiceId}`;
    t.description = v.voiceId;
    t.iconPath = new vscode.ThemeIcon('person');
    t.contextValue = v.trialUrl ? 'preset.trial' : 'preset';
    t.tooltip = voiceTooltip(v, []);
    return t;
  }
}
