import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { codicon, esc, failureCardHtml, makeNonce, renderPage, resultCardHtml } from '../webviewHost/page';

/**
 * The page of the Create Voice form. Static apart from the nonce, cspSource and asWebviewUri URIs: every
 * value (names, ids, messages) arrives by message and is rendered with textContent.
 */
export function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri, nonce = makeNonce()): string {
  return renderPage(webview, extensionUri, nonce, {
    title: l10n.t('Create Kling Voice'),
    script: 'createForm.js',
    styles: ['webview.css'],
    body: `${keyNoticeHtml()}

${formHtml()}

${progressHtml()}

${resultCardHtml([`<button type="button" id="create-another" class="secondary">${codicon('add')}${esc(l10n.t('Create another'))}</button>`])}`,
  });
}

/** Shown while no API key is set. */
function keyNoticeHtml(): string {
  return `  <section id="key-notice" class="notice" aria-labelledby="key-notice-text" hidden>
    <p id="key-notice-text">${esc(l10n.t("No Kling API key is set. Set one to create voices; it is kept in VS Code's secret storage."))}</p>
    <button type="button" id="set-key">${codicon('key')}${esc(l10n.t('Set API Key'))}</button>
  </section>`;
}

/** The form: its fields, the failure card and the submit button. */
function formHtml(): string {
  return `  <form id="form" novalidate aria-labelledby="form-title">
    <h2 id="form-title" class="visually-hidden">${esc(l10n.t('Create a custom voice'))}</h2>
    <fieldset id="form-fields" class="plain">
${nameFieldHtml()}

${sourceFieldsHtml()}

${urlFieldHtml()}

${fileFieldHtml()}

${videoFieldHtml()}

${advancedFieldsHtml()}
    </fieldset>

${failureCardHtml()}

    <div class="actions">
      <button type="submit" id="submit" aria-describedby="submit-hint">${codicon('mic')}${esc(l10n.t('Create Voice'))}</button>
    </div>
    <p id="submit-hint" class="hint"></p>
  </form>`;
}

function nameFieldHtml(): string {
  return `      <div class="field">
        <div class="label-row">
          <label for="voiceName">${esc(l10n.t('Voice name'))}</label>
          <span id="voiceName-count" class="counter">0/20</span>
        </div>
        <input id="voiceName" name="voiceName" type="text" autocomplete="off" spellcheck="false" required aria-describedby="voiceName-count voiceName-error">
        <p id="voiceName-error" class="message error" hidden></p>
      </div>`;
}

/** The three sources of a sample: a URL, a local file, an earlier Kling video. */
function sourceFieldsHtml(): string {
  return `      <fieldset class="field sources">
        <legend>${esc(l10n.t('Voice sample'))}</legend>
        <div class="radio">
          <input type="radio" id="source-url" name="source" value="url" checked>
          <label for="source-url">${esc(l10n.t('Audio or video URL'))}</label>
        </div>
        <div class="radio">
          <input type="radio" id="source-file" name="source" value="file">
          <label for="source-file">${esc(l10n.t('Local file'))}</label>
        </div>
        <div class="radio">
          <input type="radio" id="source-video" name="source" value="video">
          <label for="source-video">${esc(l10n.t('Earlier Kling video id'))}</label>
        </div>
      </fieldset>`;
}

function urlFieldHtml(): string {
  return `      <div class="field" id="group-url">
        <label for="voiceUrl">${esc(l10n.t('Sample URL'))}</label>
        <input id="voiceUrl" name="voiceUrl" type="url" autocomplete="off" spellcheck="false" placeholder="https://example.com/sample.wav" aria-describedby="voiceUrl-hint voiceUrl-error voiceUrl-warning">
        <p id="voiceUrl-hint" class="hint">${esc(l10n.t('A public .mp3, .wav, .mp4 or .mov link: 5 to 30 seconds of one clear voice.'))}</p>
        <p id="voiceUrl-error" class="message error" hidden></p>
        <p id="voiceUrl-warning" class="message warning" hidden></p>
      </div>`;
}

/** The local file: its facts and warnings, the trimmer, and the notice when no upload provider is set. */
function fileFieldHtml(): string {
  return `      <div class="field" id="group-file" hidden>
        <div class="file-row">
          <button type="button" id="choose-file" class="secondary" aria-describedby="file-name file-error">${codicon('folder-opened')}${esc(l10n.t('Choose file…'))}</button>
          <span id="file-name" class="file-name" aria-live="polite">${esc(l10n.t('No file chosen'))}</span>
        </div>
        <p id="file-hint" class="hint">${esc(l10n.t('An .mp3, .wav, .mp4 or .mov file: 5 to 30 seconds of one clear voice. It is checked here, then uploaded to your upload provider.'))}</p>
        <dl id="file-facts" class="facts" aria-label="${esc(l10n.t('The chosen file'))}" hidden></dl>
        <p id="file-quality" class="hint" hidden></p>
        <ul id="file-warnings" class="message warning list" aria-label="${esc(l10n.t('Warnings'))}" hidden></ul>
        <p id="file-error" class="message error" hidden></p>
        <button type="button" id="open-trimmer" class="secondary" hidden>${esc(l10n.t('Open in Trimmer…'))}</button>
        <section id="no-provider" class="notice" aria-labelledby="no-provider-text" hidden>
          <p id="no-provider-text">${esc(l10n.t('Kling downloads samples from a URL, and no upload provider is set. Set one up (your S3-compatible bucket or an upload endpoint), or paste a public URL instead.'))}</p>
          <button type="button" id="open-upload-settings">${codicon('gear')}${esc(l10n.t('Open Upload Settings'))}</button>
        </section>
      </div>`;
}

function videoFieldHtml(): string {
  return `      <div class="field" id="group-video" hidden>
        <label for="videoId">${esc(l10n.t('Video id'))}</label>
        <input id="videoId" name="videoId" type="text" autocomplete="off" spellcheck="false" aria-describedby="videoId-hint videoId-error">
        <p id="videoId-hint" class="hint">${esc(l10n.t('The id of a Kling video with sound (V2.6 with sound, Avatar or Lip-Sync).'))}</p>
        <p id="videoId-error" class="message error" hidden></p>
      </div>`;
}

/** The callback URL and the external task id, folded away. */
function advancedFieldsHtml(): string {
  return `      <details id="advanced">
        <summary>${esc(l10n.t('Advanced'))}</summary>
        <div class="field">
          <label for="callbackUrl">${esc(l10n.t('Callback URL (optional)'))}</label>
          <input id="callbackUrl" name="callbackUrl" type="url" autocomplete="off" spellcheck="false" aria-describedby="callbackUrl-hint callbackUrl-error">
          <p id="callbackUrl-hint" class="hint">${esc(l10n.t("Kling posts the task's status changes to this address."))}</p>
          <p id="callbackUrl-error" class="message error" hidden></p>
        </div>
        <div class="field">
          <label for="externalTaskId">${esc(l10n.t('External task id (optional)'))}</label>
          <input id="externalTaskId" name="externalTaskId" type="text" autocomplete="off" spellcheck="false" aria-describedby="externalTaskId-hint externalTaskId-error">
          <p id="externalTaskId-hint" class="hint">${esc(l10n.t('Your own id for the task, unique in your account. One is generated when empty.'))}</p>
          <p id="externalTaskId-error" class="message error" hidden></p>
        </div>
      </details>`;
}

/** Shown while a task is followed. */
function progressHtml(): string {
  return `  <section id="progress" class="progress" hidden aria-labelledby="progress-title">
    <h3 id="progress-title">${esc(l10n.t('Creating voice'))}</h3>
    <p class="progress-row"><span class="spinner" aria-hidden="true"></span><span id="progress-status">${esc(l10n.t('Submitting…'))}</span></p>
    <p id="progress-elapsed" class="hint">${esc(l10n.t('Elapsed 0:00'))}</p>
    <p id="progress-task" class="hint" hidden></p>
    <button type="button" id="cancel" class="secondary">${esc(l10n.t('Cancel'))}</button>
  </section>`;
}
