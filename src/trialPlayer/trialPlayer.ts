import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import { isPlayerToHost, type HostToPlayer, type PlayerToHost } from '../shared/protocol/trialPlayer';
import { bindToHost, panelIconPath, WebviewChannel, type ChannelDeps } from '../webviewHost/channel';
import { codicon, esc, isPlayableTrialUrl, makeNonce, renderPage, webviewOptions } from '../webviewHost/page';
import { VIEW_TYPES } from '../ids';

/** The player's page: static; the voice arrives by message. */
function playerHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return renderPage(webview, extensionUri, makeNonce(), {
    title: l10n.t('Trial Audio'),
    script: 'trialPlayer.js',
    styles: ['webview.css'],
    body: `  <section class="card player" aria-labelledby="player-title">
    <h3 id="player-title">${codicon('unmute')}<span id="player-name"></span></h3>
    <dl>
      <dt>${esc(l10n.t('Voice id'))}</dt><dd id="player-id" class="mono"></dd>
    </dl>
    <audio id="player" controls preload="auto" aria-labelledby="player-title"></audio>
    <p id="player-hint" class="hint" hidden>${esc(l10n.t('Press play to listen.'))}</p>
    <div class="actions wrap">
      <button type="button" id="copy-id">${codicon('copy')}${esc(l10n.t('Copy Voice ID'))}</button>
      <button type="button" id="insert-snippet" class="secondary">${codicon('code')}${esc(l10n.t('Insert Snippet'))}</button>
    </div>
  </section>`,
  });
}

/** One player tab for one voice at a time. */
class PlayerController extends WebviewChannel<HostToPlayer, PlayerToHost> {
  private _state: HostToPlayer | undefined;

  constructor(webview: vscode.Webview, deps: ChannelDeps) {
    super(webview, deps, {
      html: playerHtml(webview, deps.extensionUri),
      logName: 'trial player',
      isMessage: isPlayerToHost,
      stateType: 'state',
    });
  }

  get state(): HostToPlayer | undefined {
    return this._state;
  }

  play(voice: Voice & { trialUrl: string }): void {
    this._state = {
      type: 'state',
      voiceName: voice.voiceName,
      voiceId: voice.voiceId,
      trialUrl: voice.trialUrl,
      play: (this._state?.play ?? 0) + 1,
    };
    this._postState();
  }

  protected override async _handle(m: PlayerToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        this._markReady();
        this._postState();
        this._flushQueue();
        return;
      case 'copyVoiceId':
      case 'insertSnippet':
      case 'showLog':
        return this._sharedAction(m.type);
      default: {
        const never: never = m;
        throw new Error(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  protected override _postState(): void {
    if (this._state) {
      this._post(this._state);
    }
  }

  protected override _resultVoiceId(): string | undefined {
    return this._state?.voiceId;
  }
}

/**
 * Plays trial audio in an editor tab beside the code, so a voice can be heard without leaving VS Code (and in a
 * remote window, on the machine that shows it). One tab, reused for the next voice.
 */
export class TrialPlayer implements vscode.Disposable {
  private _panel: vscode.WebviewPanel | undefined;
  private _controller: PlayerController | undefined;

  constructor(private readonly _deps: ChannelDeps) {}

  /** What the tab plays now (for tests). */
  get current(): HostToPlayer | undefined {
    return this._controller?.state;
  }

  get panel(): vscode.WebviewPanel | undefined {
    return this._panel;
  }

  /** Plays the voice's trial audio in the player tab; false when its URL is not one a webview may play. */
  play(voice: Voice): boolean {
    const trialUrl = voice.trialUrl;
    if (!isPlayableTrialUrl(trialUrl)) {
      return false;
    }
    if (!this._panel || !this._controller) {
      const panel = vscode.window.createWebviewPanel(
        VIEW_TYPES.trialPlayer,
        l10n.t('Trial Audio'),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        webviewOptions(this._deps.extensionUri),
      );
      panel.iconPath = panelIconPath(this._deps.extensionUri);
      const controller = new PlayerController(panel.webview, this._deps);
      bindToHost(panel, panel.onDidChangeViewState, controller);
      panel.onDidDispose(() => {
        if (this._panel === panel) {
          this._panel = undefined;
          this._controller = undefined;
        }
      });
      this._panel = panel;
      this._controller = controller;
    } else {
      this._panel.reveal(undefined, true);
    }
    this._panel.title = l10n.t('Trial: {0}', voice.voiceName || voice.voiceId);
    this._controller.play({ ...voice, trialUrl });
    return true;
  }

  dispose(): void {
    this._panel?.dispose();
  }
}
