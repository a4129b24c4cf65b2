// What the two pages (the form, main.ts, and the trimmer, trimmer.ts) share: the VS Code API object, element
// lookup and visibility, lists, the progress wording, and the result card and failure section that both show
// (their markup is resultCardHtml / failureCardHtml in src/webviewHost/page.ts). Each bundle gets its own copy.
import * as l10n from '@vscode/l10n';
import { MAX_VOICE_NAME_LENGTH } from '../src/kling/rules';
import { characterCount } from '../src/kling/validation';
import type { TaskView } from '../src/shared/protocol/createForm';
import { setNumberLanguage } from '../src/shared/format';

/**
 * The page's words. The host embeds VS Code's display language and this extension's bundle for it (empty in
 * English) as `<script type="application/json" id="kling-l10n">` before the page's script (see l10nDataHtml in
 * src/webviewHost/page.ts); @vscode/l10n is configured with it before anything is rendered. Runs when this module
 * is evaluated, ahead of the page's own module code, so no l10n.t() call comes first.
 */
export function configureL10n(): void {
  let data: { language?: unknown; bundle?: unknown } = {};
  try {
    data = JSON.parse(document.getElementById('kling-l10n')?.textContent || '{}') as typeof data;
  } catch {
    // No words embedded: English.
  }
  const bundle = data.bundle && typeof data.bundle === 'object' ? (data.bundle as Record<string, string>) : {};
  l10n.config({ contents: bundle });
  setNumberLanguage(typeof data.language === 'string' ? data.language : 'en');
}
configureL10n();

/** The object VS Code injects into a webview; `ToHost` is what the page may post, `State` what it saves. */
export interface VsCodeApi<ToHost, State> {
  postMessage(message: ToHost): void;
  getState(): unknown;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

/** The page's VS Code API (VS Code allows one call per page: call this once, at the top). */
export function vscodeApi<ToHost, State>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi() as VsCodeApi<ToHost, State>;
}

/** The element with this id; a missing one is a bug in the page's HTML, so it throws. */
export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`#${id} is missing from the page`);
  }
  return found as T;
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible;
}

/**
 * Says `text` through the polite live region `#announce`. With `skipRepeats`, the text last said (and empty text)
 * is not said again.
 */
export function announcer(skipRepeats: boolean): (text: string) => void {
  const region = el('announce');
  let last = '';
  return (text) => {
    if (skipRepeats && (!text || text === last)) {
      return;
    }
    last = text;
    region.textContent = text;
  };
}

/** Replaces the list's items with one <li> per text. */
export function setListItems(list: HTMLElement, texts: readonly string[]): void {
  list.replaceChildren(
    ...texts.map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }),
  );
}

/** A <dt> and its <dd>, for a <dl>. */
export function definition(term: string, value: string): [HTMLElement, HTMLElement] {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  return [dt, dd];
}

/** The "n/20" counter beside a voice name (flagged when over); returns the name's length in characters. */
export function renderNameCounter(counter: HTMLElement, name: string): number {
  const count = characterCount(name);
  counter.textContent = `${count}/${MAX_VOICE_NAME_LENGTH}`;
  counter.classList.toggle('over', count > MAX_VOICE_NAME_LENGTH);
  return count;
}

type Running = Extract<TaskView, { phase: 'running' }>;

/** What a running task is doing, in words; `uploading` is the page's word for an upload not yet under way. */
export function statusText(status: Running['status'], uploading: string): string {
  switch (status) {
    case 'uploading':
      return uploading;
    case 'submitting':
      return l10n.t('Sending the request…');
    case 'submitted':
      return l10n.t('Submitted, waiting for Kling to start…');
    default:
      return l10n.t('Processing…');
  }
}

/** The progress line of a running task: cancelling, waiting for the upload consent, the upload's percentage, or the status. */
export function progressText(task: Running, uploading: string): string {
  if (task.cancelling) {
    return l10n.t('Cancelling…');
  }
  if (task.status === 'uploading' && task.awaitingConsent) {
    return l10n.t('Waiting for your confirmation to upload…');
  }
  if (task.status === 'uploading' && task.uploadPercent !== undefined) {
    return l10n.t('Uploading {0}%…', task.uploadPercent);
  }
  return statusText(task.status, uploading);
}

/** The result card's elements (ids from resultCardHtml). */
export interface ResultCard {
  root: HTMLElement;
  name: HTMLElement;
  id: HTMLElement;
  trialRow: HTMLElement;
  trial: HTMLAudioElement;
  noTrial: HTMLElement;
  copyId: HTMLButtonElement;
  insertSnippet: HTMLButtonElement;
  showLog: HTMLButtonElement;
}

export function resultCard(): ResultCard {
  return {
    root: el('result'),
    name: el('result-name'),
    id: el('result-id'),
    trialRow: el('trial-row'),
    trial: el<HTMLAudioElement>('trial'),
    noTrial: el('no-trial'),
    copyId: el<HTMLButtonElement>('copy-id'),
    insertSnippet: el<HTMLButtonElement>('insert-snippet'),
    showLog: el<HTMLButtonElement>('show-log'),
  };
}

/** The failure section's elements (ids from failureCardHtml). */
export interface FailureCard {
  root: HTMLElement;
  title: HTMLElement;
  message: HTMLElement;
  task: HTMLElement;
  showLog: HTMLButtonElement;
}

export function failureCard(): FailureCard {
  return {
    root: el('failure'),
    title: el('failure-title'),
    message: el('failure-message'),
    task: el('failure-task'),
    showLog: el<HTMLButtonElement>('failure-log'),
  };
}

/** Shows the result card or the failure section, as the task's phase says; the trial audio stops when the card goes. */
export function showOutcome(result: ResultCard, failure: FailureCard, task: TaskView): void {
  show(result.root, task.phase === 'succeeded');
  show(failure.root, task.phase === 'failed');
  if (task.phase !== 'succeeded' && !result.trial.paused) {
    result.trial.pause();
  }
}

/** Fills the result card; returns the sentence to announce. */
export function renderResult(card: ResultCard, task: Extract<TaskView, { phase: 'succeeded' }>): string {
  card.name.textContent = task.voiceName;
  card.id.textContent = task.voiceId;
  show(card.trialRow, !!task.trialUrl);
  show(card.noTrial, !task.trialUrl);
  if (task.trialUrl) {
    // Only the URL is set; with preload="none" nothing loads or plays until the user presses play.
    if (card.trial.getAttribute('src') !== task.trialUrl) {
      card.trial.src = task.trialUrl;
    }
  } else {
    card.trial.removeAttribute('src');
  }
  return l10n.t('Voice "{0}" is ready. Voice id {1}.', task.voiceName, task.voiceId);
}

/** Fills the failure section (a cancelled task looks milder); returns the sentence to announce. */
export function renderFailure(card: FailureCard, task: Extract<TaskView, { phase: 'failed' }>): string {
  card.root.classList.toggle('cancelled', task.reason === 'cancelled' || task.reason === 'running');
  card.title.textContent =
    task.reason === 'cancelled'
      ? l10n.t('Cancelled')
      : task.reason === 'running'
        ? l10n.t('Still running at Kling — check later')
        : task.reason === 'task'
          ? l10n.t('Kling could not create the voice')
          : l10n.t('Voice not created');
  card.message.textContent = task.message;
  card.task.textContent = task.taskId ? l10n.t('Task id {0}', task.taskId) : '';
  show(card.task, !!task.taskId);
  return task.message;
}

/** The result card's buttons and the failure section's Show Log: the host acts on its own copy of the voice id. */
export function wireCards(
  result: ResultCard,
  failure: FailureCard,
  post: (message: { type: 'copyVoiceId' } | { type: 'insertSnippet' } | { type: 'showLog' }) => void,
  announce: (text: string) => void,
): void {
  result.copyId.addEventListener('click', () => {
    post({ type: 'copyVoiceId' });
    announce(l10n.t('Voice id copied to the clipboard.'));
  });
  result.insertSnippet.addEventListener('click', () => post({ type: 'insertSnippet' }));
  result.showLog.addEventListener('click', () => post({ type: 'showLog' }));
  failure.showLog.addEventListener('click', () => post({ type: 'showLog' }));
}
