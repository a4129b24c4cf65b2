import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { isPlayableLink } from '../shared/url';

/** Text for HTML: the host-rendered markup puts translated words in it (quotes, ampersands and all). */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The page's words: the display language and VS Code's bundle of this extension's messages for it (empty in
 * English), as JSON the page reads before its first render (webview/common.ts). Every `<` is escaped, so no
 * message can end the script element.
 */
export function l10nDataHtml(): string {
  const data = JSON.stringify({ language: vscode.env.language, bundle: vscode.l10n.bundle ?? {} });
  return `<script type="application/json" id="kling-l10n">${data.replace(/</g, '\\u003c')}</script>`;
}

/** A fresh nonce per page load: 128 random bits. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The folders a Create Voice webview may load from: the bundle and the styles. */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: localResourceRoots(extensionUri) };
}

/**
 * Where trial audio may come from. The page is written once, before any result exists, so the policy cannot
 * name the one origin of a future trial_url; reloading the page for each result would lose focus and state.
 * Kling serves trial audio from its CDN over https, on hosts that are not documented and may change, so any
 * https origin is allowed. Plain http is allowed for loopback only (the local sandbox and test servers); the
 * host also drops a trial_url that is neither https nor loopback before sending it to the page.
 */
export const MEDIA_SRC = 'https: http://127.0.0.1:* http://localhost:*';

/** True for a URL the page may play (see MEDIA_SRC). */
export function isPlayableTrialUrl(raw: string | undefined): raw is string {
  return isPlayableLink(raw);
}

/** The page's policy; `mediaSrc` is what its <audio> may play (the trimmer plays only blob: URLs it made itself). */
export function contentSecurityPolicy(cspSource: string, nonce: string, mediaSrc = MEDIA_SRC): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    // The codicon font is inlined in its style sheet (see tools/build/build.mjs).
    `font-src ${cspSource} data:`,
    `img-src ${cspSource} data:`,
    `media-src ${mediaSrc}`,
    // The form is handled by script; nothing is ever posted or navigated to.
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** What differs between the pages: everything inside <main>, the bundle, the styles and what <audio> may play. */
export interface PageParts {
  title: string;
  /** The bundle in dist/. */
  script: string;
  /** Style sheets in media/, in order. */
  styles: readonly string[];
  /** See contentSecurityPolicy. */
  mediaSrc?: string;
  /** The page's content; the live region for announcements follows it. */
  body: string;
}

/**
 * The frame of every page: the policy with a fresh nonce, the styles, `<main id="app" class="loading">` (shown once
 * the host's first message has been rendered), the polite live region `#announce`, and the one script, by nonce.
 */
export function renderPage(webview: vscode.Webview, extensionUri: vscode.Uri, nonce: string, page: PageParts): string {
  const asUri = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const links = [asUri('dist', 'codicons', 'codicon.css'), ...page.styles.map((style) => asUri('media', style))]
    .map((href) => `<link rel="stylesheet" href="${href}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="${esc(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce, page.mediaSrc)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links}
<title>${esc(page.title)}</title>
</head>
<body>
<main id="app" class="loading">
${page.body}

  <p id="announce" class="visually-hidden" aria-live="polite"></p>
</main>
${l10nDataHtml()}
<script nonce="${nonce}" src="${asUri('dist', page.script)}"></script>
</body>
</html>`;
}

/** A codicon before a button's or a heading's text (decorative: hidden from screen readers). */
export function codicon(name: string): string {
  return `<span class="codicon codicon-${name}" aria-hidden="true"></span>`;
}

/** The result card (name, voice id, trial audio, actions); `extraButtons` (one element each) go after Show Log. */
export function resultCardHtml(extraButtons: readonly string[] = []): string {
  return `  <section id="result" class="card" hidden aria-labelledby="result-title">
    <h3 id="result-title">${codicon('pass')}${esc(l10n.t('Voice ready'))}</h3>
    <dl>
      <dt>${esc(l10n.t('Name'))}</dt><dd id="result-name"></dd>
      <dt>${esc(l10n.t('Voice id'))}</dt><dd id="result-id" class="mono"></dd>
    </dl>
    <div id="trial-row">
      <p id="trial-label" class="hint">${esc(l10n.t('Trial audio'))}</p>
      <audio id="trial" controls preload="none" aria-labelledby="trial-label"></audio>
    </div>
    <p id="no-trial" class="hint" hidden>${esc(l10n.t('Kling returned no trial audio for this voice.'))}</p>
    <div class="actions wrap">
      <button type="button" id="copy-id">${codicon('copy')}${esc(l10n.t('Copy Voice ID'))}</button>
      <button type="button" id="insert-snippet" class="secondary">${codicon('code')}${esc(l10n.t('Insert Snippet'))}</button>
      <button type="button" id="show-log" class="secondary">${codicon('output')}${esc(l10n.t('Show Log'))}</button>${extraButtons.map((b) => `\n      ${b}`).join('')}
    </div>
  </section>`;
}

/** Why the voice was not created (title and message set by the page); `extra` elements go before Show Log. */
export function failureCardHtml(extra: readonly string[] = []): string {
  return `  <section id="failure" class="failure" hidden aria-labelledby="failure-title">
    <h3 id="failure-title">${esc(l10n.t('Voice not created'))}</h3>
    <p id="failure-message"></p>
    <p id="failure-task" class="hint" hidden></p>${extra.map((e) => `\n    ${e}`).join('')}
    <button type="button" id="failure-log" class="link">${esc(l10n.t('Show Log'))}</button>
  </section>`;
}
