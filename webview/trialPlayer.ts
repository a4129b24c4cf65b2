// The Trial Audio tab: plays the voice the host names and, beside it, the sample the voice was cloned from (A/B
// listen). Everything shown comes in by message, written with textContent.
import * as l10n from '@vscode/l10n';
import type { HostToPlayer, PlayerSample, PlayerToHost, SampleWindow } from '../src/shared/protocol/trialPlayer';
import { announcer, el, show, vscodeApi } from './common';

/** What the page keeps when hidden: the last Play it acted on, so showing the tab again does not start it over. */
interface PageState {
  played: number;
}

type Side = 'trial' | 'sample';

const vscode = vscodeApi<PlayerToHost, PageState>();
const saved = vscode.getState() as Partial<PageState> | undefined;
let played = typeof saved?.played === 'number' ? saved.played : 0;
const announce = announcer(true);

const ui = {
  app: el('app'),
  name: el('player-name'),
  id: el('player-id'),
  audio: el<HTMLAudioElement>('player'),
  sample: el<HTMLAudioElement>('sample'),
  sampleRow: el('sample-row'),
  sampleName: el('sample-name'),
  sampleNote: el('sample-note'),
  controls: el('ab-controls'),
  playTrial: el<HTMLButtonElement>('play-trial'),
  playSample: el<HTMLButtonElement>('play-sample'),
  switchAb: el<HTMLButtonElement>('switch-ab'),
  hint: el('player-hint'),
  copy: el<HTMLButtonElement>('copy-id'),
  snippet: el<HTMLButtonElement>('insert-snippet'),
};

/** The sample shown now ("id:kind": a state posted again for the same sample changes nothing), and its window. */
let sampleKey = '';
let sampleLabel = '';
let sampleBlob: string | undefined;
let sampleWindow: SampleWindow | undefined;
/** The side played last: the A/B switch goes from it to the other one when neither plays. */
let active: Side = 'trial';

const audioOf = (side: Side): HTMLAudioElement => (side === 'trial' ? ui.audio : ui.sample);
const otherSide = (side: Side): Side => (side === 'trial' ? 'sample' : 'trial');

/** The part of a side that counts, in seconds: the sample's window (the part Kling got), else the whole clip. */
function span(side: Side): { start: number; end: number } | undefined {
  const d = audioOf(side).duration;
  const known = Number.isFinite(d) && d > 0;
  if (side === 'sample' && sampleWindow) {
    return { start: sampleWindow.startSec, end: known ? Math.min(sampleWindow.endSec, d) : sampleWindow.endSec };
  }
  return known ? { start: 0, end: d } : undefined;
}

/** Where a side is, from 0 to 1 of its span. */
function position(side: Side): number {
  const s = span(side);
  if (!s || s.end <= s.start) {
    return 0;
  }
  return Math.min(1, Math.max(0, (audioOf(side).currentTime - s.start) / (s.end - s.start)));
}

function seek(side: Side, fraction: number): void {
  const s = span(side);
  if (s) {
    audioOf(side).currentTime = s.start + fraction * (s.end - s.start);
  }
}

/**
 * Plays one side and pauses the other: the two never sound at once. With `fraction`, it starts at that relative
 * position (the A/B switch); a side at its end starts from the top (of its window, for the sample).
 */
function playSide(side: Side, fraction?: number): void {
  audioOf(otherSide(side)).pause();
  const at = fraction ?? position(side);
  if (fraction !== undefined || at >= 0.995) {
    seek(side, at >= 0.98 ? 0 : at);
  }
  active = side;
  audioOf(side)
    .play()
    .then(
      () => show(ui.hint, false),
      // Playback may need a click in this tab (a browser's autoplay rule): then the hint says so.
      () => show(ui.hint, true),
    );
}

/** A Play button: plays its side (pausing the other), or pauses it when it plays. */
function toggle(side: Side): void {
  if (!audioOf(side).paused) {
    audioOf(side).pause();
  } else {
    playSide(side);
  }
}

/**
 * The A/B switch: from the side that plays (or was played last) to the other, at the same relative position, and
 * playing. Relative, not the same second: the trial and the sample differ in length and words, so the same second
 * would often be past the end of the shorter one; the same share of each keeps both going without starting over.
 */
function switchSides(): void {
  const from: Side = !ui.audio.paused ? 'trial' : !ui.sample.paused ? 'sample' : active;
  const to = otherSide(from);
  playSide(to, position(from));
  announce(to === 'sample' ? l10n.t('Now playing your sample.') : l10n.t('Now playing the trial.'));
}

/** The Play buttons say what a click does (Play or Pause) and whether their side plays (aria-pressed). */
function renderButtons(): void {
  for (const [button, side, play, pause] of [
    [ui.playTrial, 'trial', l10n.t('Play Trial'), l10n.t('Pause Trial')],
    [ui.playSample, 'sample', l10n.t('Play Sample'), l10n.t('Pause Sample')],
  ] as const) {
    const playing = !audioOf(side).paused;
    button.setAttribute('aria-pressed', String(playing));
    (button.querySelector('.label') as HTMLElement).textContent = playing ? pause : play;
    (button.querySelector('.codicon-play') as HTMLElement).hidden = playing;
    (button.querySelector('.codicon-debug-pause') as HTMLElement).hidden = !playing;
  }
}

/** Shows the sample's player, or the one calm line that says why there is none. */
function showSample(playable: boolean, note?: string): void {
  show(ui.sampleRow, playable);
  show(ui.controls, playable);
  ui.sampleNote.textContent = note ?? '';
  show(ui.sampleNote, !!note);
}

function renderSample(s: PlayerSample): void {
  const key = `${s.id}:${s.kind}`;
  if (key === sampleKey) {
    return;
  }
  sampleKey = key;
  ui.sample.pause();
  if (sampleBlob) {
    URL.revokeObjectURL(sampleBlob);
    sampleBlob = undefined;
  }
  sampleWindow = undefined;
  active = 'trial';
  switch (s.kind) {
    case 'loading':
    case 'none':
      ui.sample.removeAttribute('src');
      ui.sample.load();
      showSample(false, s.kind === 'none' ? s.reason : l10n.t('Reading your sample…'));
      break;
    case 'url':
      sampleLabel = s.label;
      ui.sampleName.textContent = s.label;
      ui.sample.src = s.url;
      showSample(true);
      break;
    case 'bytes':
      sampleLabel = s.label;
      ui.sampleName.textContent = s.label;
      sampleWindow = s.window;
      // The bytes become a blob: URL of this page's origin (see PLAYER_MEDIA_SRC on the host).
      sampleBlob = URL.createObjectURL(new Blob([new Uint8Array(s.bytes)], { type: s.mime }));
      ui.sample.src = sampleBlob;
      showSample(true);
      break;
    default: {
      const never: never = s;
      throw new Error(`unknown sample ${JSON.stringify(never)}`);
    }
  }
  renderButtons();
}

function onHostMessage(m: HostToPlayer): void {
  switch (m.type) {
    case 'state': {
      const name = m.voiceName || m.voiceId;
      ui.name.textContent = name;
      ui.id.textContent = m.voiceId;
      ui.app.classList.remove('loading');
      if (ui.audio.getAttribute('src') !== m.trialUrl) {
        ui.audio.src = m.trialUrl;
      }
      renderSample(m.sample);
      if (m.play !== played) {
        played = m.play;
        vscode.setState({ played });
        ui.audio.currentTime = 0;
        playSide('trial');
        announce(l10n.t('Playing the trial audio of {0}.', name));
      }
      break;
    }
    default: {
      const never: never = m.type;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

for (const side of ['trial', 'sample'] as const) {
  const audio = audioOf(side);
  audio.addEventListener('play', () => {
    // Its own controls too: one side at a time.
    audioOf(otherSide(side)).pause();
    active = side;
    show(ui.hint, false);
    renderButtons();
  });
  audio.addEventListener('pause', renderButtons);
  audio.addEventListener('ended', () => {
    // Back to the top, paused: a clip left "ended" would start over from 0 on play(), whatever position a switch set.
    audio.currentTime = 0;
    renderButtons();
  });
}
// The sample plays its window only: from its start, and it stops at its end.
ui.sample.addEventListener('loadedmetadata', () => {
  if (sampleWindow && ui.sample.currentTime < sampleWindow.startSec) {
    ui.sample.currentTime = sampleWindow.startSec;
  }
});
ui.sample.addEventListener('play', () => {
  if (sampleWindow && (ui.sample.currentTime < sampleWindow.startSec || ui.sample.currentTime >= sampleWindow.endSec)) {
    ui.sample.currentTime = sampleWindow.startSec;
  }
});
ui.sample.addEventListener('timeupdate', () => {
  if (sampleWindow && !ui.sample.paused && ui.sample.currentTime >= sampleWindow.endSec) {
    ui.sample.pause();
  }
});
ui.sample.addEventListener('error', () => {
  if (ui.sample.getAttribute('src')) {
    showSample(false, l10n.t('This tab could not play your sample ({0}).', sampleLabel));
  }
});
ui.playTrial.addEventListener('click', () => toggle('trial'));
ui.playSample.addEventListener('click', () => toggle('sample'));
ui.switchAb.addEventListener('click', switchSides);
ui.copy.addEventListener('click', () => vscode.postMessage({ type: 'copyVoiceId' }));
ui.snippet.addEventListener('click', () => vscode.postMessage({ type: 'insertSnippet' }));
window.addEventListener('message', (event: MessageEvent<HostToPlayer>) => onHostMessage(event.data));
renderButtons();
vscode.postMessage({ type: 'ready' });
