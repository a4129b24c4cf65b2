// The trimmer page: draws the waveform from the host's peak envelope, lets the user move and resize the
// selection (mouse, keyboard, numeric fields), plays the selection from a blob: URL the page makes from WAV
// bytes the host posts, and asks the host to create the voice. Everything shown is written with textContent.
import * as l10n from '@vscode/l10n';
import { validateVoiceName } from '../src/kling/validation';
import {
  formatChannelCount,
  formatChannels,
  formatClock,
  formatDbfs,
  formatNoiseFloor,
  formatSec,
  formatShare,
  formatSize,
  formatSnr,
} from '../src/shared/format';
import type { UploadProviderName } from '../src/shared/protocol/createForm';
import {
  BIG_STEP_SEC,
  clampSelection,
  moveSelection,
  resizeSelection,
  selectionProblem,
  STEP_SEC,
  type Selection,
} from '../src/shared/selection';
import {
  parseTrimmerState,
  type HostToTrimmer,
  type TrimmerLoadMessage,
  type TrimmerSavedState,
  type TrimmerTaskView,
  type TrimmerToHost,
} from '../src/shared/protocol/trimmer';
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
  vscodeApi,
  wireCards,
} from './common';

/**
 * What the page keeps: the file's URI (from the host), the window and the normalize flag, and nothing else; this
 * is also what the host reads back to restore the tab after a window reload. The voice name stays on the host.
 */
interface PageState {
  uri?: string;
  selection?: Selection;
  normalize: boolean;
}

const vscode = vscodeApi<TrimmerToHost, TrimmerSavedState | undefined>();

const ui = {
  app: el('app'),
  fileName: el('file-name'),
  fileFacts: el('file-facts'),
  loadError: el('load-error'),
  editor: el('editor'),
  wave: el('wave'),
  canvas: el<HTMLCanvasElement>('canvas'),
  start: el<HTMLInputElement>('start'),
  end: el<HTMLInputElement>('end'),
  length: el('length'),
  suggested: el<HTMLButtonElement>('suggested'),
  rule: el('rule'),
  play: el<HTMLButtonElement>('play'),
  player: el<HTMLAudioElement>('player'),
  normalize: el<HTMLInputElement>('normalize'),
  report: el('report'),
  metrics: el('metrics'),
  warnings: el('warnings'),
  noWarnings: el('no-warnings'),
  create: el('create'),
  voiceName: el<HTMLInputElement>('voiceName'),
  counter: el('voiceName-count'),
  createVoice: el<HTMLButtonElement>('create-voice'),
  nameError: el('name-error'),
  noProvider: el('no-provider'),
  openUploadSettings: el<HTMLButtonElement>('open-upload-settings'),
  noKey: el('no-key'),
  progress: el('progress'),
  progressStatus: el('progress-status'),
  cancel: el<HTMLButtonElement>('cancel'),
  result: resultCard(),
  failure: failureCard(),
};
/** Every text is said, even the same one again (the window's position after each drag). */
const announce = announcer(false);

/** The saved state, checked as the host checks it; used only for the file the host names in `load`. */
const saved = parseTrimmerState(vscode.getState());
const page: PageState = { normalize: false };
let file: TrimmerLoadMessage | undefined;
let status: { hasApiKey: boolean; uploadProvider: UploadProviderName; task: TrimmerTaskView } | undefined;
let hostProblem: string | undefined;
let previewUrl: string | undefined;
/** The selection the current preview was made from; a changed selection makes a new one. */
let previewOf: string | undefined;

function post(m: TrimmerToHost): void {
  vscode.postMessage(m);
}

function save(): void {
  // Nothing until the host has named the file: an early save would wipe what a restored tab needs.
  if (page.uri !== undefined) {
    vscode.setState({ uri: page.uri, selection: page.selection, normalize: page.normalize });
  }
}

function selection(): Selection {
  return page.selection ?? { startSec: 0, endSec: 0 };
}

function duration(): number {
  return file?.durationSec ?? 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Waveform

function cssColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

function draw(): void {
  if (!file) {
    return;
  }
  const canvas = ui.canvas;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, ui.wave.clientWidth);
  const height = Math.max(1, ui.wave.clientHeight);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) {
    return;
  }
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const axis = 16; // room for the time labels
  const waveHeight = height - axis;
  const mid = waveHeight / 2;
  const sel = selection();
  const d = duration() || 1;
  const x0 = (sel.startSec / d) * width;
  const x1 = (sel.endSec / d) * width;

  ctx.fillStyle = cssColor('--vscode-editor-selectionBackground', 'rgba(38, 79, 120, 0.6)');
  ctx.fillRect(x0, 0, x1 - x0, waveHeight);

  const env = file.envelope;
  const wave = cssColor('--vscode-charts-blue', cssColor('--vscode-foreground', '#4daafc'));
  const dim = cssColor('--vscode-disabledForeground', cssColor('--vscode-descriptionForeground', '#888'));
  for (let x = 0; x < width; x++) {
    const from = Math.floor((x / width) * env.length);
    const to = Math.max(from + 1, Math.floor(((x + 1) / width) * env.length));
    let peak = 0;
    for (let i = from; i < to && i < env.length; i++) {
      peak = Math.max(peak, env[i]);
    }
    const h = Math.max(1, peak * (waveHeight / 2 - 2));
    ctx.fillStyle = x >= x0 && x <= x1 ? wave : dim;
    ctx.fillRect(x, mid - h, 1, h * 2);
  }

  // The edges: a line with a grip at the top, easy to see and to grab.
  ctx.fillStyle = cssColor('--vscode-focusBorder', '#007fd4');
  for (const x of [x0, x1]) {
    ctx.fillRect(Math.round(x) - 1, 0, 2, waveHeight);
    ctx.fillRect(Math.round(x) - 4, 0, 8, 10);
  }

  // Time axis.
  ctx.fillStyle = cssColor('--vscode-descriptionForeground', '#999');
  ctx.font = `11px ${cssColor('--vscode-font-family', 'sans-serif')}`;
  ctx.textBaseline = 'bottom';
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300].find((s) => (s / d) * width >= 60) ?? 600;
  for (let t = 0; t <= d; t += step) {
    const x = (t / d) * width;
    ctx.fillRect(Math.round(x), waveHeight, 1, 4);
    ctx.textAlign = t === 0 ? 'left' : 'center';
    if (x < width - 20 || t === 0) {
      ctx.fillText(formatClock(t).replace(/\.0$/, ''), x + (t === 0 ? 2 : 0), height);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function renderSelection(): void {
  const sel = selection();
  if (document.activeElement !== ui.start) {
    ui.start.value = sel.startSec.toFixed(2);
  }
  if (document.activeElement !== ui.end) {
    ui.end.value = sel.endSec.toFixed(2);
  }
  ui.start.max = String(duration());
  ui.end.max = String(duration());
  const len = sel.endSec - sel.startSec;
  ui.length.textContent = l10n.t('Selection {0}', formatSec(len));
  const problem = selectionProblem(sel);
  ui.rule.textContent = problem ?? l10n.t("{0} is within Kling's 5–30 s.", formatSec(len));
  ui.rule.className = `message ${problem ? 'error' : 'ok'}`;
  ui.wave.setAttribute('aria-valuemax', String(Math.round(duration() * 10) / 10));
  ui.wave.setAttribute('aria-valuenow', String(sel.startSec));
  ui.wave.setAttribute(
    'aria-valuetext',
    l10n.t('From {0} to {1}, {2}', formatClock(sel.startSec), formatClock(sel.endSec), formatSec(len)),
  );
  draw();
  renderCreate();
  save();
}

function renderReport(f: TrimmerLoadMessage): void {
  const q = f.quality;
  const rows: [string, string][] = [
    [l10n.t('Peak'), formatDbfs(q.peakDbfs)],
    [l10n.t('Clipping'), formatShare(q.clippingShare)],
    [l10n.t('RMS loudness'), formatDbfs(q.rmsDbfs)],
    [l10n.t('Silence'), formatShare(q.silenceShare)],
    [l10n.t('Noise floor (est.)'), formatNoiseFloor(q.noiseFloorDbfs)],
    [l10n.t('SNR (est.)'), formatSnr(q.snrDb, q.noiseFloorDbfs)],
    [l10n.t('Channels'), formatChannelCount(f.channels)],
  ];
  ui.metrics.replaceChildren(
    ...rows.map(([k, v]) => {
      // <div> groups a term with its value inside a <dl> (allowed by HTML), so the grid lays out pairs.
      const pair = document.createElement('div');
      pair.append(...definition(k, v));
      return pair;
    }),
  );
  const notes = [...f.problems, ...f.warnings];
  setListItems(ui.warnings, notes);
  show(ui.warnings, notes.length > 0);
  show(ui.noWarnings, notes.length === 0);
}

function renderCreate(): void {
  const name = ui.voiceName.value.trim();
  renderNameCounter(ui.counter, name);
  const nameProblem = name ? validateVoiceName(name) : l10n.t('Enter a voice name.');
  const task = status?.task ?? { phase: 'idle' };
  const running = task.phase === 'running';
  const noProvider = status?.uploadProvider === 'none';
  const noKey = status !== undefined && !status.hasApiKey;
  const error = hostProblem ?? (name ? nameProblem : undefined);
  ui.nameError.textContent = error ?? '';
  show(ui.nameError, !!error);
  if (name && nameProblem) {
    ui.voiceName.setAttribute('aria-invalid', 'true');
  } else {
    ui.voiceName.removeAttribute('aria-invalid');
  }
  show(ui.noProvider, noProvider);
  show(ui.noKey, noKey);
  ui.createVoice.disabled =
    !file || running || noProvider || noKey || !!nameProblem || !!selectionProblem(selection()) || status === undefined;
  ui.voiceName.disabled = running;
}

function renderTask(previous: TrimmerTaskView | undefined, task: TrimmerTaskView): void {
  const phaseChanged = previous !== undefined && previous.phase !== task.phase;
  show(ui.progress, task.phase === 'running');
  showOutcome(ui.result, ui.failure, task);
  switch (task.phase) {
    case 'idle':
      break;
    case 'running': {
      // Until the upload starts, the selection is being exported (or the consent question is open).
      const text = progressText(task, l10n.t('Preparing the selection…'));
      ui.progressStatus.textContent = `"${task.voiceName}": ${text}`;
      ui.cancel.disabled = task.cancelling;
      announce(text);
      break;
    }
    case 'succeeded':
      announce(renderResult(ui.result, task));
      if (phaseChanged) {
        ui.result.copyId.focus();
      }
      break;
    case 'failed':
      announce(renderFailure(ui.failure, task));
      if (phaseChanged && !ui.createVoice.disabled) {
        ui.createVoice.focus();
      }
      break;
    default: {
      const never: never = task;
      throw new Error(`unknown phase ${JSON.stringify(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Host messages

function onHostMessage(m: HostToTrimmer): void {
  switch (m.type) {
    case 'load': {
      file = m;
      ui.app.classList.remove('loading');
      ui.fileName.textContent = m.fileName;
      ui.fileFacts.textContent = [
        formatSec(m.durationSec),
        m.format,
        `${m.sampleRate} Hz`,
        formatChannels(m.channels),
        formatSize(m.sizeBytes),
      ]
        .filter(Boolean)
        .join(' · ');
      show(ui.loadError, false);
      show(ui.editor, true);
      show(ui.report, true);
      show(ui.create, true);
      if (page.uri !== m.uri) {
        // First load of this page: the window and the flag saved for this same file, else the suggested window.
        const mine = saved?.uri === m.uri ? saved : undefined;
        page.uri = m.uri;
        page.selection = mine?.selection;
        page.normalize = mine?.normalize ?? false;
        ui.voiceName.value = m.voiceName;
      }
      page.selection = page.selection ? clampSelection(page.selection, m.durationSec) : m.suggested;
      ui.normalize.checked = page.normalize;
      renderReport(m);
      renderSelection();
      break;
    }
    case 'loadError':
      ui.app.classList.remove('loading');
      ui.fileName.textContent = m.uri ? l10n.t('Cannot trim this file') : l10n.t('Nothing to trim');
      ui.loadError.textContent = m.message;
      show(ui.loadError, true);
      if (m.uri !== undefined && page.uri === undefined) {
        // Keep pointing at the file (and its window): if it comes back, a reload shows it again.
        page.uri = m.uri;
        page.selection = saved?.uri === m.uri ? saved.selection : undefined;
        page.normalize = saved?.uri === m.uri ? saved.normalize : false;
        save();
      }
      break;
    case 'preview': {
      if (previewUrl) {
        URL.revokeObjectURL(previewUrl);
      }
      // The bytes become a blob: URL of this page's origin (see TRIMMER_MEDIA_SRC on the host).
      const bytes = new Uint8Array(m.wav);
      previewUrl = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
      previewOf = key(m.selection);
      ui.player.src = previewUrl;
      void ui.player.play().catch(() => undefined);
      ui.play.disabled = false;
      break;
    }
    case 'status': {
      const previous = status?.task;
      status = { hasApiKey: m.hasApiKey, uploadProvider: m.uploadProvider, task: m.task };
      // Enable Create before focusing it after a failure.
      renderCreate();
      renderTask(previous, m.task);
      break;
    }
    case 'invalid':
      hostProblem = m.message;
      announce(m.message);
      renderCreate();
      break;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

function key(s: Selection): string {
  return `${s.startSec}-${s.endSec}-${page.normalize}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Input

function setSelection(next: Selection): void {
  page.selection = clampSelection(next, duration());
  hostProblem = undefined;
  if (previewOf !== undefined && previewOf !== key(page.selection) && !ui.player.paused) {
    ui.player.pause();
  }
  renderSelection();
}

function timeAt(clientX: number): number {
  const rect = ui.wave.getBoundingClientRect();
  return Math.min(Math.max(0, (clientX - rect.left) / Math.max(1, rect.width)), 1) * duration();
}

let drag: { mode: 'start' | 'end' | 'move'; originSec: number; origin: Selection } | undefined;

ui.wave.addEventListener('pointerdown', (e) => {
  if (!file || e.button !== 0) {
    return;
  }
  const rect = ui.wave.getBoundingClientRect();
  const sel = selection();
  const xs = (sel.startSec / duration()) * rect.width + rect.left;
  const xe = (sel.endSec / duration()) * rect.width + rect.left;
  const grab = 8;
  const t = timeAt(e.clientX);
  let mode: 'start' | 'end' | 'move';
  if (Math.abs(e.clientX - xs) <= grab) {
    mode = 'start';
  } else if (Math.abs(e.clientX - xe) <= grab) {
    mode = 'end';
  } else {
    mode = 'move';
    if (t < sel.startSec || t > sel.endSec) {
      // A click outside the window centres the window there.
      setSelection(moveSelection(sel, t - (sel.startSec + sel.endSec) / 2, duration()));
    }
  }
  drag = { mode, originSec: t, origin: selection() };
  ui.wave.setPointerCapture(e.pointerId);
  ui.wave.focus();
  e.preventDefault();
});

ui.wave.addEventListener('pointermove', (e) => {
  const rect = ui.wave.getBoundingClientRect();
  if (!drag) {
    if (file) {
      const sel = selection();
      const xs = (sel.startSec / duration()) * rect.width + rect.left;
      const xe = (sel.endSec / duration()) * rect.width + rect.left;
      ui.wave.style.cursor = Math.abs(e.clientX - xs) <= 8 || Math.abs(e.clientX - xe) <= 8 ? 'ew-resize' : 'grab';
    }
    return;
  }
  const t = timeAt(e.clientX);
  if (drag.mode === 'move') {
    setSelection(moveSelection(drag.origin, t - drag.originSec, duration()));
  } else {
    setSelection(resizeSelection(drag.origin, drag.mode, t, duration()));
  }
});

const endDrag = (e: PointerEvent) => {
  if (drag) {
    drag = undefined;
    if (ui.wave.hasPointerCapture(e.pointerId)) {
      ui.wave.releasePointerCapture(e.pointerId);
    }
    announce(ui.wave.getAttribute('aria-valuetext') ?? '');
  }
};
ui.wave.addEventListener('pointerup', endDrag);
ui.wave.addEventListener('pointercancel', endDrag);

ui.wave.addEventListener('keydown', (e) => {
  if (!file) {
    return;
  }
  const step = e.shiftKey ? BIG_STEP_SEC : STEP_SEC;
  const sel = selection();
  let next: Selection | undefined;
  if (e.key === 'ArrowLeft' || e.key === 'ArrowDown') {
    next = moveSelection(sel, -step, duration());
  } else if (e.key === 'ArrowRight' || e.key === 'ArrowUp') {
    next = moveSelection(sel, step, duration());
  } else if (e.key === 'Home') {
    next = moveSelection(sel, -sel.startSec, duration());
  } else if (e.key === 'End') {
    next = moveSelection(sel, duration() - sel.endSec, duration());
  }
  if (next) {
    e.preventDefault();
    setSelection(next);
  }
});

for (const [input, edge] of [
  [ui.start, 'start'],
  [ui.end, 'end'],
] as const) {
  input.addEventListener('change', () => {
    const v = Number.parseFloat(input.value);
    if (Number.isFinite(v)) {
      setSelection(resizeSelection(selection(), edge, v, duration()));
    }
    input.value = (edge === 'start' ? selection().startSec : selection().endSec).toFixed(2);
  });
}

ui.suggested.addEventListener('click', () => {
  if (file) {
    setSelection(file.suggested);
  }
});

ui.play.addEventListener('click', () => {
  if (!file) {
    return;
  }
  if (previewUrl && previewOf === key(selection())) {
    ui.player.currentTime = 0;
    void ui.player.play().catch(() => undefined);
    return;
  }
  ui.play.disabled = true;
  post({ type: 'preview', selection: selection(), normalize: page.normalize });
});

ui.normalize.addEventListener('change', () => {
  page.normalize = ui.normalize.checked;
  save();
});

ui.voiceName.addEventListener('input', () => {
  hostProblem = undefined;
  renderCreate();
  post({ type: 'voiceName', voiceName: ui.voiceName.value.slice(0, 200) });
});

ui.createVoice.addEventListener('click', () => {
  hostProblem = undefined;
  ui.player.pause();
  ui.result.trial.pause();
  post({ type: 'create', selection: selection(), normalize: page.normalize, voiceName: ui.voiceName.value });
  // Until the host answers (status or refusal re-render the button), a second click sends nothing.
  ui.createVoice.disabled = true;
});
ui.cancel.addEventListener('click', () => post({ type: 'cancel' }));
ui.openUploadSettings.addEventListener('click', () => post({ type: 'openUploadSettings' }));
wireCards(ui.result, ui.failure, post, announce);
// One player at a time: the selection's preview or the new voice's trial audio.
ui.result.trial.addEventListener('play', () => ui.player.pause());
ui.player.addEventListener('play', () => ui.result.trial.pause());

new ResizeObserver(() => draw()).observe(ui.wave);
// A theme change restyles the body (its class list): redraw with the new colours.
new MutationObserver(() => draw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

window.addEventListener('message', (event: MessageEvent<HostToTrimmer>) => onHostMessage(event.data));
post({ type: 'ready' });
