import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

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
  if (!raw) {
    return false;
  }
  try {
    const url = new URL(raw);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'))
    );
  } catch {
    return false;
  }
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
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview.cspSource, nonce, page.mediaSrc)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${links}
<title>${page.title}</title>
</head>
<body>
<main id="app" class="loading">
${page.body}

  <p id="announce" class="visually-hidden" aria-live="polite"></p>
</main>
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
    <h3 id="result-title">${codicon('pass')}Voice ready</h3>
    <dl>
      <dt>Name</dt><dd id="result-name"></dd>
      <dt>Voice id</dt><dd id="result-id" class="mono"></dd>
    </dl>
    <div id="trial-row">
      <p id="trial-label" class="hint">Trial audio</p>
      <audio id="trial" controls preload="none" aria-labelledby="trial-label"></audio>
    </div>
    <p id="no-trial" class="hint" hidden>Kling returned no trial audio for this voice.</p>
    <div class="actions wrap">
      <button type="button" id="copy-id">${codicon('copy')}Copy Voice ID</button>
      <button type="button" id="insert-snippet" class="secondary">${codicon('code')}Insert Snippet</button>
      <button type="button" id="show-log" class="secondary">${codicon('output')}Show Log</button>${extraButtons.map((b) => `\n      ${b}`).join('')}
    </div>
  </section>`;
}

/** Why the voice was not created (title and message set by the page); `extra` elements go before Show Log. */
export function failureCardHtml(extra: readonly string[] = []): string {
  return `  <section id="failure" class="failure" hidden aria-labelledby="failure-title">
    <h3 id="failure-title">Voice not created</h3>
    <p id="failure-message"></p>
    <p id="failure-task" class="hint" hidden></p>${extra.map((e) => `\n    ${e}`).join('')}
    <button type="button" id="failure-log" class="link">Show Log</button>
  </section>`;
}

/**
 * The page of the Create Voice form. Static apart from the nonce, cspSource and asWebviewUri URIs: every
 * value (names, ids, messages) arrives by message and is rendered with textContent.
 */
export function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = makeNonce()): string {
  return renderPage(webview, extensionUri, nonce, {
    title: 'Create Kling Voice',
    script: 'createForm.js',
    styles: ['webview.css'],
    body: `  <section id="key-notice" class="notice" aria-labelledby="key-notice-text" hidden>
    <p id="key-notice-text">No Kling API key is set. Set one to create voices; it is kept in VS Code's secret storage.</p>
    <button type="button" id="set-key">${codicon('key')}Set API Key</button>
  </section>

  <form id="form" novalidate aria-labelledby="form-title">
    <h2 id="form-title" class="visually-hidden">Create a custom voice</h2>
    <fieldset id="form-fields" class="plain">
      <div class="field">
        <div class="label-row">
          <label for="voiceName">Voice name</label>
          <span id="voiceName-count" class="counter">0/20</span>
        </div>
        <input id="voiceName" name="voiceName" type="text" autocomplete="off" spellcheck="false" required aria-describedby="voiceName-count voiceName-error">
        <p id="voiceName-error" class="message error" hidden></p>
      </div>

      <fieldset class="field sources">
        <legend>Voice sample</legend>
        <div class="radio">
          <input type="radio" id="source-url" name="source" value="url" checked>
          <label for="source-url">Audio or video URL</label>
        </div>
        <div class="radio">
          <input type="radio" id="source-file" name="source" value="file">
          <label for="source-file">Local file</label>
        </div>
        <div class="radio">
          <input type="radio" id="source-video" name="source" value="video">
          <label for="source-video">Earlier Kling video id</label>
        </div>
      </fieldset>

      <div class="field" id="group-url">
        <label for="voiceUrl">Sample URL</label>
        <input id="voiceUrl" name="voiceUrl" type="url" autocomplete="off" spellcheck="false" placeholder="https://example.com/sample.wav" aria-describedby="voiceUrl-hint voiceUrl-error voiceUrl-warning">
        <p id="voiceUrl-hint" class="hint">A public .mp3, .wav, .mp4 or .mov link: 5 to 30 seconds of one clear voice.</p>
        <p id="voiceUrl-error" class="message error" hidden></p>
        <p id="voiceUrl-warning" class="message warning" hidden></p>
      </div>

      <div class="field" id="group-file" hidden>
        <div class="file-row">
          <button type="button" id="choose-file" class="secondary" aria-describedby="file-name file-error">${codicon('folder-opened')}Choose file…</button>
          <span id="file-name" class="file-name" aria-live="polite">No file chosen</span>
        </div>
        <p id="file-hint" class="hint">An .mp3, .wav, .mp4 or .mov file: 5 to 30 seconds of one clear voice. It is checked here, then uploaded to your upload provider.</p>
        <dl id="file-facts" class="facts" aria-label="The chosen file" hidden></dl>
        <p id="file-quality" class="hint" hidden></p>
        <ul id="file-warnings" class="message warning list" aria-label="Warnings" hidden></ul>
        <p id="file-error" class="message error" hidden></p>
        <button type="button" id="open-trimmer" class="secondary" hidden>Open in Trimmer…</button>
        <section id="no-provider" class="notice" aria-labelledby="no-provider-text" hidden>
          <p id="no-provider-text">Kling downloads samples from a URL, and no upload provider is set. Set one up (your S3-compatible bucket or an upload endpoint), or paste a public URL instead.</p>
          <button type="button" id="open-upload-settings">${codicon('gear')}Open Upload Settings</button>
        </section>
      </div>

      <div class="field" id="group-video" hidden>
        <label for="videoId">Video id</label>
        <input id="videoId" name="videoId" type="text" autocomplete="off" spellcheck="false" aria-describedby="videoId-hint videoId-error">
        <p id="videoId-hint" class="hint">The id of a Kling video with sound (V2.6 with sound, Avatar or Lip-Sync).</p>
        <p id="videoId-error" class="message error" hidden></p>
      </div>

      <details id="advanced">
        <summary>Advanced</summary>
        <div class="field">
          <label for="callbackUrl">Callback URL (optional)</label>
          <input id="callbackUrl" name="callbackUrl" type="url" autocomplete="off" spellcheck="false" aria-describedby="callbackUrl-hint callbackUrl-error">
          <p id="callbackUrl-hint" class="hint">Kling posts the task's status changes to this address.</p>
          <p id="callbackUrl-error" class="message error" hidden></p>
        </div>
        <div class="field">
          <label for="externalTaskId">External task id (optional)</label>
          <input id="externalTaskId" name="externalTaskId" type="text" autocomplete="off" spellcheck="false" aria-describedby="externalTaskId-hint externalTaskId-error">
          <p id="externalTaskId-hint" class="hint">Your own id for the task, unique in your account. One is generated when empty.</p>
          <p id="externalTaskId-error" class="message error" hidden></p>
        </div>
      </details>
    </fieldset>

${failureCardHtml()}

    <div class="actions">
      <button type="submit" id="submit" aria-describedby="submit-hint">${codicon('mic')}Create Voice</button>
    </div>
    <p id="submit-hint" class="hint"></p>
  </form>

  <section id="progress" class="progress" hidden aria-labelledby="progress-title">
    <h3 id="progress-title">Creating voice</h3>
    <p class="progress-row"><span class="spinner" aria-hidden="true"></span><span id="progress-status">Submitting…</span></p>
    <p id="progress-elapsed" class="hint">Elapsed 0:00</p>
    <p id="progress-task" class="hint" hidden></p>
    <button type="button" id="cancel" class="secondary">Cancel</button>
  </section>

${resultCardHtml([`<button type="button" id="create-another" class="secondary">${codicon('add')}Create another</button>`])}`,
  });
}
