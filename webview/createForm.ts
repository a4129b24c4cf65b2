// The Create Voice form in the browser: renders what the host says, validates as the user types, keeps the
// fields with setState. Everything shown comes in by message and is written with textContent.
import * as l10n from '@vscode/l10n';
import { MAX_VOICE_NAME_LENGTH } from '../src/kling/rules';
import {
  emptyForm,
  validateForm,
  type CreateFormValues,
  type FieldMessages,
  type FormField,
} from '../src/shared/createForm';
import { formatChannelCount, formatSec, formatSize, qualityLine } from '../src/shared/format';
import {
  isCreateFormValues,
  isFormSource,
  type FileView,
  type HostToWebview,
  type TaskView,
  type UploadProviderName,
  type WebviewToHost,
} from '../src/shared/protocol/createForm';
import {
  announcer,
  definition,
  el,
  failureCard,
  progressText,
  renderFailure,
  renderNameCounter,
  renderResult,
  resultCard,
  setListItems,
  show,
  showOutcome,
  statusText,
  vscodeApi,
  wireCards,
} from './common';

/** What the page keeps across hide/show and window reloads (the host reads `taskId` back after a reload). */
interface PageState {
  form: CreateFormValues;
  touched: FormField[];
  advancedOpen: boolean;
  taskId?: string;
  /** The file whose name was put into an empty name field (done once per file, so clearing the name sticks). */
  namedFrom?: string;
}

const FIELDS: readonly FormField[] = ['voiceName', 'voiceUrl', 'file', 'videoId', 'callbackUrl', 'externalTaskId'];
const TEXT_FIELDS = ['voiceName', 'voiceUrl', 'videoId', 'callbackUrl', 'externalTaskId'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

const vscode = vscodeApi<WebviewToHost, PageState>();

const ui = {
  app: el('app'),
  keyNotice: el('key-notice'),
  setKey: el<HTMLButtonElement>('set-key'),
  form: el<HTMLFormElement>('form'),
  fields: el<HTMLFieldSetElement>('form-fields'),
  inputs: Object.fromEntries(TEXT_FIELDS.map((f) => [f, el<HTMLInputElement>(f)])) as Record<
    TextField,
    HTMLInputElement
  >,
  sources: Array.from(document.querySelectorAll<HTMLInputElement>('input[name="source"]')),
  counter: el('voiceName-count'),
  groups: { url: el('group-url'), file: el('group-file'), video: el('group-video') },
  chooseFile: el<HTMLButtonElement>('choose-file'),
  fileName: el('file-name'),
  fileHint: el('file-hint'),
  fileFacts: el('file-facts'),
  fileQuality: el('file-quality'),
  fileWarnings: el('file-warnings'),
  openTrimmer: el<HTMLButtonElement>('open-trimmer'),
  noProvider: el('no-provider'),
  openUploadSettings: el<HTMLButtonElement>('open-upload-settings'),
  advanced: el<HTMLDetailsElement>('advanced'),
  failure: failureCard(),
  actions: el('form').querySelector<HTMLElement>('.actions') as HTMLElement,
  submit: el<HTMLButtonElement>('submit'),
  submitHint: el('submit-hint'),
  progress: el('progress'),
  progressTitle: el('progress-title'),
  progressStatus: el('progress-status'),
  progressElapsed: el('progress-elapsed'),
  progressTask: el('progress-task'),
  cancel: el<HTMLButtonElement>('cancel'),
  result: resultCard(),
  createAnother: el<HTMLButtonElement>('create-another'),
};

// ---------------------------------------------------------------------------------------------------------------
// Page state

function loadState(): PageState {
  const saved = vscode.getState() as Partial<PageState> | undefined;
  const fresh: PageState = { form: emptyForm(), touched: [], advancedOpen: false };
  if (!saved || typeof saved !== 'object') {
    return fresh;
  }
  return {
    form: isCreateFormValues(saved.form) ? saved.form : fresh.form,
    touched: Array.isArray(saved.touched) ? saved.touched.filter((f): f is FormField => FIELDS.includes(f)) : [],
    advancedOpen: saved.advancedOpen === true,
    taskId: typeof saved.taskId === 'string' ? saved.taskId : undefined,
    namedFrom: typeof saved.namedFrom === 'string' ? saved.namedFrom : undefined,
  };
}

let page = loadState();
let host: { hasApiKey: boolean; task: TaskView; file?: FileView; uploadProvider: UploadProviderName } | undefined;
/** Errors the host sent back for a refused submit, shown until the field changes. */
let hostErrors: FieldMessages = {};
/** After a submit attempt every error shows, touched or not. */
let showAllErrors = false;
let elapsedTimer: ReturnType<typeof setInterval> | undefined;
/** Repeated status lines (every state message repeats the task) are said once. */
const announce = announcer(true);

function save(): void {
  vscode.setState(page);
}

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function setMessage(id: string, text: string | undefined): void {
  const node = document.getElementById(id);
  if (node) {
    node.textContent = text ?? '';
    node.hidden = !text;
  }
}

function fieldControl(field: FormField): HTMLElement {
  return field === 'file' ? ui.chooseFile : ui.inputs[field];
}

/** What validateForm needs to know of the host's check of the chosen file. */
function fileStatus(): { usable: boolean; problem?: string } | undefined {
  const file = host?.file;
  if (!file) {
    return undefined;
  }
  return file.checking
    ? { usable: false, problem: l10n.t('Checking {0}…', file.fileName) }
    : { usable: file.usable, problem: file.problems.join(' ') };
}

/** A newly chosen file names the voice when the name field is empty. */
function nameFromFile(file: FileView | undefined): void {
  if (!file?.suggestedName || file.checking || page.namedFrom === file.fileName || page.form.voiceName.trim() !== '') {
    return;
  }
  page.namedFrom = file.fileName;
  page.form.voiceName = file.suggestedName;
  ui.inputs.voiceName.value = file.suggestedName;
  save();
}

function renderFile(): void {
  const file = host?.file;
  ui.fileName.textContent = file
    ? file.checking
      ? l10n.t('{0} (checking…)', file.fileName)
      : file.fileName
    : l10n.t('No file chosen');
  show(ui.fileHint, !file);
  const facts: [string, string][] = [];
  if (file && !file.checking) {
    if (file.durationSec !== undefined) {
      facts.push([l10n.t('Duration'), formatSec(file.durationSec)]);
    }
    if (file.format) {
      facts.push([l10n.t('Format'), file.format]);
    }
    if (file.channels) {
      facts.push([l10n.t('Channels'), formatChannelCount(file.channels)]);
    }
    if (file.sampleRate) {
      facts.push([l10n.t('Sample rate'), `${file.sampleRate} Hz`]);
    }
    if (file.sizeBytes !== undefined) {
      facts.push([l10n.t('Size'), formatSize(file.sizeBytes)]);
    }
  }
  ui.fileFacts.replaceChildren(...facts.flatMap(([k, v]) => definition(k, v)));
  show(ui.fileFacts, facts.length > 0);
  const quality =
    file && !file.checking
      ? file.quality
        ? qualityLine(file.quality)
        : file.format
          ? l10n.t('Not decoded here (AAC): checked by its headers only.')
          : ''
      : '';
  ui.fileQuality.textContent = quality;
  show(ui.fileQuality, quality !== '');
  const warnings = file && !file.checking ? file.warnings : [];
  setListItems(ui.fileWarnings, warnings);
  show(ui.fileWarnings, warnings.length > 0);
  show(ui.openTrimmer, !!file && !file.checking && file.trimmable);
  ui.openTrimmer.textContent = file && !file.usable ? l10n.t('Trim in the Trimmer…') : l10n.t('Open in Trimmer…');
  show(ui.noProvider, host?.uploadProvider === 'none');
}

function renderForm(): void {
  const form = page.form;
  const { errors, warnings } = validateForm(form, fileStatus());
  const running = host?.task.phase === 'running';

  const nameCount = renderNameCounter(ui.counter, form.voiceName.trim());
  ui.counter.setAttribute('aria-label', l10n.t('{0} of {1} characters', nameCount, MAX_VOICE_NAME_LENGTH));

  for (const radio of ui.sources) {
    radio.checked = radio.value === form.source;
  }
  show(ui.groups.url, form.source === 'url');
  show(ui.groups.file, form.source === 'file');
  show(ui.groups.video, form.source === 'video');
  renderFile();

  for (const field of FIELDS) {
    if (field === 'file') {
      // A chosen file that cannot be used says why at once, with its numbers; no file yet is only a hint.
      const file = host?.file;
      setMessage('file-error', hostErrors.file ?? (file && !file.checking ? errors.file : undefined));
      continue;
    }
    const visible = showAllErrors || page.touched.includes(field) || hostErrors[field] !== undefined;
    const error = hostErrors[field] ?? (visible ? errors[field] : undefined);
    const input = ui.inputs[field];
    setMessage(`${field}-error`, error);
    if (error) {
      input.setAttribute('aria-invalid', 'true');
    } else {
      input.removeAttribute('aria-invalid');
    }
    if (field === 'voiceUrl') {
      setMessage('voiceUrl-warning', form.voiceUrl.trim() && !error ? warnings.voiceUrl : undefined);
    }
  }

  ui.fields.disabled = running;
  show(ui.actions, !running);
  const noKey = host !== undefined && !host.hasApiKey;
  const noProvider = form.source === 'file' && host?.uploadProvider === 'none';
  const blocked = Object.keys(errors).length > 0 || noProvider;
  ui.submit.disabled = running || noKey || blocked || host === undefined;
  let hint = '';
  if (noKey) {
    hint = l10n.t('Set your API key to create a voice.');
  } else if (noProvider) {
    hint = l10n.t('Set up an upload provider to create a voice from a local file.');
  } else if (form.source === 'file' && errors.file && !errors.voiceName) {
    hint = host?.file
      ? host.file.checking
        ? l10n.t('Checking the file…')
        : l10n.t('Choose another file, or trim this one.')
      : l10n.t('Choose a file to create the voice.');
  } else if (blocked) {
    const shown = FIELDS.some((f) => f !== 'file' && (showAllErrors || page.touched.includes(f)) && errors[f]);
    hint = shown
      ? l10n.t('Fix the fields marked above to create the voice.')
      : l10n.t('Enter a voice name and a sample to create the voice.');
  }
  ui.submitHint.textContent = hint;
  show(ui.submitHint, hint !== '');
}

function formatElapsed(ms: number): string {
  const total = Math.floor(ms / 1000);
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${seconds.toString().padStart(2, '0')}`;
}

function stopTimer(): void {
  if (elapsedTimer !== undefined) {
    clearInterval(elapsedTimer);
    elapsedTimer = undefined;
  }
}

function startTimer(elapsedMs: number): void {
  stopTimer();
  // The host's elapsed time, continued with this page's clock (host and page clocks may differ).
  const origin = performance.now() - elapsedMs;
  const tick = () => {
    ui.progressElapsed.textContent = l10n.t('Elapsed {0}', formatElapsed(performance.now() - origin));
  };
  tick();
  elapsedTimer = setInterval(tick, 1000);
}

/** The status line while the upload has not started (the form sends the chosen file as it is). */
const uploadingText = () => l10n.t('Uploading the sample…');

function renderTask(previous: TaskView | undefined, task: TaskView): void {
  const phaseChanged = previous?.phase !== task.phase;
  // While a task runs only its progress shows (a narrow sidebar would scroll it out of sight); the fields keep
  // their values and come back, still filled, if the task fails or is cancelled.
  show(ui.form, task.phase === 'idle' || task.phase === 'failed');
  show(ui.progress, task.phase === 'running');
  showOutcome(ui.result, ui.failure, task);
  if (task.phase !== 'running') {
    stopTimer();
  }

  switch (task.phase) {
    case 'idle':
      page.taskId = undefined;
      break;
    case 'running': {
      page.taskId = task.taskId;
      ui.progressTitle.textContent = l10n.t('Creating "{0}"', task.voiceName);
      ui.progressStatus.textContent = progressText(task, uploadingText());
      ui.progressTask.textContent = task.taskId ? l10n.t('Task id {0}', task.taskId) : '';
      show(ui.progressTask, !!task.taskId);
      ui.cancel.disabled = task.cancelling;
      ui.cancel.textContent = task.cancelling ? l10n.t('Cancelling…') : l10n.t('Cancel');
      if (phaseChanged || elapsedTimer === undefined) {
        startTimer(task.elapsedMs);
      }
      announce(task.cancelling ? l10n.t('Cancelling.') : statusText(task.status, uploadingText()));
      if (phaseChanged && previous !== undefined) {
        ui.cancel.focus();
      }
      break;
    }
    case 'succeeded':
      page.taskId = task.taskId;
      announce(renderResult(ui.result, task));
      if (phaseChanged && previous !== undefined) {
        ui.result.copyId.focus();
      }
      break;
    case 'failed':
      page.taskId = task.taskId;
      announce(renderFailure(ui.failure, task));
      if (phaseChanged && previous !== undefined) {
        ui.submit.focus();
      }
      break;
    default: {
      const never: never = task;
      throw new Error(`unknown phase ${JSON.stringify(never)}`);
    }
  }
}

function render(): void {
  renderForm();
  save();
}

// ---------------------------------------------------------------------------------------------------------------
// Host messages

function onHostMessage(message: HostToWebview): void {
  switch (message.type) {
    case 'state': {
      const previous = host?.task;
      host = {
        hasApiKey: message.hasApiKey,
        task: message.task,
        file: message.file,
        uploadProvider: message.uploadProvider,
      };
      nameFromFile(message.file);
      ui.app.classList.remove('loading');
      show(ui.keyNotice, !message.hasApiKey);
      renderTask(previous, message.task);
      render();
      break;
    }
    case 'prefill':
      prefill(message.form);
      break;
    case 'invalid':
      hostErrors = message.errors;
      showAllErrors = true;
      announce(l10n.t('The form was not sent: fix the fields marked.'));
      render();
      focusFirstError(hostErrors);
      break;
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

/** Replaces the fields with a failed task's (Edit and Retry); the sample's field gets the focus, since that is what usually needs fixing. */
function prefill(form: CreateFormValues): void {
  page = { form: { ...form }, touched: [], advancedOpen: page.advancedOpen, namedFrom: undefined };
  for (const field of TEXT_FIELDS) {
    ui.inputs[field].value = form[field];
  }
  hostErrors = {};
  showAllErrors = true;
  render();
  announce(l10n.t('The form is filled in from the failed task: fix the sample and create the voice again.'));
  const target =
    form.source === 'url' ? ui.inputs.voiceUrl : form.source === 'video' ? ui.inputs.videoId : ui.chooseFile;
  target.focus();
}

function focusFirstError(errors: FieldMessages): void {
  const first = FIELDS.find((f) => errors[f] !== undefined && (f !== 'file' || page.form.source === 'file'));
  if (first) {
    if (first === 'callbackUrl' || first === 'externalTaskId') {
      ui.advanced.open = true;
    }
    fieldControl(first).focus();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// User input

function touch(field: FormField): void {
  if (!page.touched.includes(field)) {
    page.touched.push(field);
  }
}

for (const field of TEXT_FIELDS) {
  const input = ui.inputs[field];
  input.value = page.form[field];
  input.addEventListener('input', () => {
    page.form[field] = input.value;
    delete hostErrors[field];
    touch(field);
    render();
  });
  input.addEventListener('blur', () => {
    if (input.value !== '') {
      touch(field);
    }
    render();
  });
}

for (const radio of ui.sources) {
  radio.addEventListener('change', () => {
    if (radio.checked && isFormSource(radio.value)) {
      page.form.source = radio.value;
      hostErrors = {};
      render();
    }
  });
}

ui.advanced.open = page.advancedOpen || !!page.form.callbackUrl || !!page.form.externalTaskId;
ui.advanced.addEventListener('toggle', () => {
  page.advancedOpen = ui.advanced.open;
  save();
});

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const { errors, input } = validateForm(page.form, fileStatus());
  if (!input || host?.task.phase === 'running' || !host?.hasApiKey) {
    showAllErrors = true;
    render();
    focusFirstError(errors);
    return;
  }
  hostErrors = {};
  post({ type: 'submit', form: { ...page.form } });
});

ui.chooseFile.addEventListener('click', () => {
  delete hostErrors.file;
  post({ type: 'chooseFile' });
});
ui.openTrimmer.addEventListener('click', () => post({ type: 'openTrimmer' }));
ui.openUploadSettings.addEventListener('click', () => post({ type: 'openUploadSettings' }));
ui.setKey.addEventListener('click', () => post({ type: 'setApiKey' }));
ui.cancel.addEventListener('click', () => post({ type: 'cancel' }));
wireCards(ui.result, ui.failure, post, announce);
ui.createAnother.addEventListener('click', () => {
  const source = page.form.source;
  page = { form: { ...emptyForm(), source }, touched: [], advancedOpen: page.advancedOpen };
  for (const field of TEXT_FIELDS) {
    ui.inputs[field].value = '';
  }
  hostErrors = {};
  showAllErrors = false;
  ui.result.trial.pause();
  post({ type: 'reset' });
  // Show the empty form at once (the host confirms with an idle state) so focus can move to it.
  show(ui.result.root, false);
  show(ui.form, true);
  render();
  ui.inputs.voiceName.focus();
});

window.addEventListener('message', (event: MessageEvent<HostToWebview>) => onHostMessage(event.data));

render();
post({ type: 'ready' });
