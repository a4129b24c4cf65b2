import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import {
  isPlayerToHost,
  type HostToPlayer,
  type PlayerSample,
  type PlayerToHost,
} from '../shared/protocol/trialPlayer';
import { bindToHost, panelIconPath, WebviewChannel, type ChannelDeps } from '../webviewHost/channel';
import {
  codicon,
  esc,
  isPlayableTrialUrl,
  makeNonce,
  MEDIA_SRC,
  renderPage,
  webviewOptions,
} from '../webviewHost/page';
import { VIEW_TYPES } from '../ids';
import type { SampleOrigin } from './samplePlan';

/**
 * What the tab's two players may play: the trial (Kling's CDN over https, or loopback http: MEDIA_SRC, for the reason
 * given there), a sample's public link (the same rule: the host drops any other link), and a local sample from a
 * blob: URL the page makes from the bytes the host posts (see pageSample). `blob:` allows only this page's own blobs.
 */
export const PLAYER_MEDIA_SRC = `blob: ${MEDIA_SRC}`;

/** The player's page: static; the voice and its sample arrive by message. */
function playerHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const playPause = (id: string, label: string, secondary: boolean) =>
    `<button type="button" id="${id}"${secondary ? ' class="secondary"' : ''} aria-pressed="false">` +
    `<span class="codicon codicon-play" aria-hidden="true"></span><span class="codicon codicon-debug-pause" aria-hidden="true" hidden></span>` +
    `<span class="label">${esc(label)}</span></button>`;
  return renderPage(webview, extensionUri, makeNonce(), {
    title: l10n.t('Trial Audio'),
    script: 'trialPlayer.js',
    styles: ['webview.css'],
    mediaSrc: PLAYER_MEDIA_SRC,
    body: `  <section class="card player" aria-labelledby="player-title">
    <h3 id="player-title">${codicon('unmute')}<span id="player-name"></span></h3>
    <dl>
      <dt>${esc(l10n.t('Voice id'))}</dt><dd id="player-id" class="mono"></dd>
    </dl>
    <div class="ab-row" id="trial-row">
      <p class="ab-label" id="trial-label"><span class="ab-tag">A</span>${esc(l10n.t('Trial audio from Kling'))}</p>
      <audio id="player" controls preload="auto" aria-labelledby="trial-label"></audio>
    </div>
    <div class="ab-row" id="sample-row" hidden>
      <p class="ab-label" id="sample-label"><span class="ab-tag">B</span>${esc(l10n.t('Your sample'))} <span id="sample-name" class="hint"></span></p>
      <audio id="sample" controls preload="metadata" aria-labelledby="sample-label"></audio>
    </div>
    <p id="sample-note" class="hint" hidden></p>
    <div id="ab-controls" class="actions wrap" role="group" aria-label="${esc(l10n.t('Compare the trial with your sample'))}" hidden>
      ${playPause('play-trial', l10n.t('Play Trial'), false)}
      ${playPause('play-sample', l10n.t('Play Sample'), true)}
      <button type="button" id="switch-ab" class="secondary" title="${esc(l10n.t('Switches to the other one at the same relative position, and keeps playing'))}">${codicon('arrow-swap')}${esc(l10n.t('Switch A/B'))}</button>
    </div>
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
  private _sampleId = 0;

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

  /** Plays the trial from the top, with the voice's sample beside it (a local file follows once it is read). */
  play(voice: Voice & { trialUrl: string }, origin: SampleOrigin): void {
    const id = ++this._sampleId;
    // Loaded on the first Play (src/lazy.ts): the start of VS Code does not need it.
    const { sampleFor } = require('./sample') as typeof import('./sample');
    const sample = sampleFor(origin, id);
    this._state = {
      type: 'state',
      voiceName: voice.voiceName,
      voiceId: voice.voiceId,
      trialUrl: voice.trialUrl,
      play: (this._state?.play ?? 0) + 1,
      sample: sample.now,
    };
    this._postState();
    void sample.read?.then((read) => this._settle(read));
  }

  /** A file sample was read (or not): shown unless another voice came meanwhile. */
  private _settle(sample: PlayerSample): void {
    if (this.isDisposed || !this._state || this._state.sample.id !== sample.id) {
      return;
    }
    this._channelDeps.log.info(
      `trial player: the sample of ${this._state.voiceId} ${sample.kind === 'bytes' ? `is ${sample.bytes.length} bytes` : `cannot be played (${sample.kind})`}`,
    );
    this._state = { ...this._state, sample };
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
 * remote window, on the machine that shows it), with the sample it was cloned from beside it (A/B listen). One tab,
 * reused for the next voice.
 */
export class TrialPlayer implements vscode.Disposable {
  private _panel: vscode.WebviewPanel | undefined;
  private _controller: PlayerController | undefined;
  private readonly _onDidPost = new vscode.EventEmitter<HostToPlayer>();
  /** Every state posted to the tab's page (for tests). */
  readonly onDidPost = this._onDidPost.event;

  constructor(private readonly _deps: ChannelDeps) {}

  /** What the tab plays now (for tests). */
  get current(): HostToPlayer | undefined {
    return this._controller?.state;
  }

  get panel(): vscode.WebviewPanel | undefined {
    return this._panel;
  }

  /**
   * Plays the voice's trial audio in the player tab, with its sample beside it when `origin` says where that came
   * from (see samplePlan); false when the trial's URL is not one a webview may play.
   */
  play(voice: Voice, origin: SampleOrigin = {}): boolean {
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
      controller.onDidPost((m) => this._onDidPost.fire(m));
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
    this._controller.play({ ...voice, trialUrl }, origin);
    return true;
  }

  dispose(): void {
    this._panel?.dispose();
    this._onDidPost.dispose();
  }
}
