import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { codicon, esc, failureCardHtml, makeNonce, MEDIA_SRC, renderPage, resultCardHtml } from '../webviewHost/page';

/**
 * What the page's two players may play.
 *
 * The preview is played from a blob: URL that the page makes from WAV bytes the host posts. Why not the others:
 * a data: URL of a 30 s WAV is ~1.3 MB of base64 in one attribute and `media-src data:` would let any data URL
 * play; an asWebviewUri URL would need the file's folder in localResourceRoots (the whole workspace, or a temp
 * file); a blob: URL is scoped to this page's origin, so `blob:` allows nothing from outside.
 *
 * The result card's trial audio comes from Kling's CDN: exactly the form's policy (MEDIA_SRC: https, and http on
 * loopback only), for the same reason (the page is written before any trial_url exists). The host drops any other
 * trial_url before it reaches the page.
 */
export const TRIMMER_MEDIA_SRC = `blob: ${MEDIA_SRC}`;

/**
 * The trimmer page. Static apart from the nonce, cspSource and asWebviewUri URIs: the file's name, numbers and
 * waveform arrive by message and are rendered with textContent or drawn on the canvas.
 */
export function renderTrimmerHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = makeNonce()): string {
  return renderPage(webview, extensionUri, nonce, {
    title: l10n.t('Trim Voice Sample'),
    script: 'trimmer.js',
    // The form's styles (buttons, inputs, messages, cards) plus the trimmer's own layout.
    styles: ['webview.css', 'trimmer.css'],
    mediaSrc: TRIMMER_MEDIA_SRC,
    body: `  <header>
    <h2 id="file-name">${esc(l10n.t('Loading…'))}</h2>
    <p id="file-facts" class="hint"></p>
  </header>
  <p id="load-error" class="message error" hidden></p>

  <section id="editor" aria-label="${esc(l10n.t('Waveform and selection'))}" hidden>
    <div id="wave" class="wave" tabindex="0" role="slider" aria-label="${esc(l10n.t('Selection window: arrow keys move it by 0.1 s, with Shift by 1 s'))}" aria-valuemin="0">
      <canvas id="canvas" aria-hidden="true"></canvas>
    </div>
    <div class="controls">
      <label for="start">${esc(l10n.t('Start (s)'))}</label>
      <input id="start" type="number" min="0" step="0.1" inputmode="decimal">
      <label for="end">${esc(l10n.t('End (s)'))}</label>
      <input id="end" type="number" min="0" step="0.1" inputmode="decimal">
      <span id="length" class="length" aria-live="polite"></span>
      <button type="button" id="suggested" class="secondary" title="${esc(l10n.t('Select the suggested window again'))}">${codicon('lightbulb')}${esc(l10n.t('Suggested Window'))}</button>
    </div>
    <p id="rule" class="message" aria-live="polite"></p>
    <div class="controls">
      <button type="button" id="play" class="secondary">${codicon('play')}${esc(l10n.t('Play Selection'))}</button>
      <audio id="player" controls aria-label="${esc(l10n.t('Preview of the selection'))}"></audio>
      <label class="check"><input type="checkbox" id="normalize"> ${esc(l10n.t('Normalize peak (−1 dBFS)'))}</label>
    </div>
  </section>

  <section id="report" class="report" aria-labelledby="report-title" hidden>
    <h3 id="report-title">${esc(l10n.t('Quality report (whole file)'))}</h3>
    <dl id="metrics"></dl>
    <ul id="warnings" class="message warning list" aria-label="${esc(l10n.t('Warnings'))}" hidden></ul>
    <p id="no-warnings" class="hint" hidden>${esc(l10n.t('No problems found. Kling needs one person speaking clearly, with no music and little noise.'))}</p>
  </section>

  <section id="create" class="create" aria-labelledby="create-title" hidden>
    <h3 id="create-title">${esc(l10n.t('Create a voice from the selection'))}</h3>
    <div class="controls">
      <label for="voiceName">${esc(l10n.t('Voice name'))}</label>
      <input id="voiceName" type="text" autocomplete="off" spellcheck="false" aria-describedby="voiceName-count name-error">
      <span id="voiceName-count" class="counter">0/20</span>
      <button type="button" id="create-voice">${codicon('mic')}${esc(l10n.t('Create Voice from Selection'))}</button>
    </div>
    <p id="name-error" class="message error" hidden></p>
    <p id="create-hint" class="hint">${esc(l10n.t('The selection is sent as a mono 16-bit WAV to your upload provider, then Kling creates the voice. The original file is not changed.'))}</p>
    <section id="no-provider" class="notice" hidden>
      <p>${esc(l10n.t('Kling downloads samples from a URL, and no upload provider is set. Set one up (your S3-compatible bucket or an upload endpoint).'))}</p>
      <button type="button" id="open-upload-settings">${codicon('gear')}${esc(l10n.t('Open Upload Settings'))}</button>
    </section>
    <p id="no-key" class="message warning" hidden>${esc(l10n.t("No Kling API key is set: run 'Kling Voice: Set API Key'."))}</p>
  </section>

  <section id="progress" class="progress" aria-labelledby="progress-status" hidden>
    <p class="progress-row"><span class="spinner" aria-hidden="true"></span><span id="progress-status">${esc(l10n.t('Uploading…'))}</span></p>
    <button type="button" id="cancel" class="secondary">${esc(l10n.t('Cancel'))}</button>
  </section>

${resultCardHtml()}

${failureCardHtml([`<p id="failure-retry" class="hint">${esc(l10n.t('The selection and the name are kept: change them if needed and create again.'))}</p>`])}`,
  });
}
