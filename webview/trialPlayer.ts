// The Trial Audio tab: plays the voice the host names. Everything shown comes in by message, written with textContent.
import * as l10n from '@vscode/l10n';
import type { HostToPlayer, PlayerToHost } from '../src/shared/protocol/trialPlayer';
import { announcer, el, show, vscodeApi } from './common';

/** What the page keeps when hidden: the last Play it acted on, so showing the tab again does not start it over. */
interface PageState {
  played: number;
}

const vscode = vscodeApi<PlayerToHost, PageState>();
const saved = vscode.getState() as Partial<PageState> | undefined;
let played = typeof saved?.played === 'number' ? saved.played : 0;
const announce = announcer(true);

const ui = {
  app: el('app'),
  name: el('player-name'),
  id: el('player-id'),
  audio: el<HTMLAudioElement>('player'),
  hint: el('player-hint'),
  copy: el<HTMLButtonElement>('copy-id'),
  snippet: el<HTMLButtonElement>('insert-snippet'),
};

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
      if (m.play !== played) {
        played = m.play;
        vscode.setState({ played });
        ui.audio.currentTime = 0;
        // Playback may need a click in this tab (a browser's autoplay rule): then the hint says so.
        ui.audio.play().then(
          () => show(ui.hint, false),
          () => show(ui.hint, true),
        );
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

ui.audio.addEventListener('play', () => show(ui.hint, false));
ui.copy.addEventListener('click', () => vscode.postMessage({ type: 'copyVoiceId' }));
ui.snippet.addEventListener('click', () => vscode.postMessage({ type: 'insertSnippet' }));
window.addEventListener('message', (event: MessageEvent<HostToPlayer>) => onHostMessage(event.data));
vscode.postMessage({ type: 'ready' });
