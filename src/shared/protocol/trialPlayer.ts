// Messages between the Trial Audio player tab and the extension host. Pure: no vscode, no DOM.
import { hasExactKeys, isPlainRecord } from './guards';

/** Host → page: the voice to play. `play` counts the times Play was asked for: a new count starts from the top. */
export interface PlayerStateMessage {
  type: 'state';
  voiceName: string;
  voiceId: string;
  /** An https (or loopback http) URL: the host drops anything else before it gets here. */
  trialUrl: string;
  play: number;
}

export type HostToPlayer = PlayerStateMessage;

/** Page → host: `ready`, or the card's buttons (the host uses its own copy of the voice id). */
export type PlayerToHost =
  { type: 'ready' } | { type: 'copyVoiceId' } | { type: 'insertSnippet' } | { type: 'showLog' };

const TYPES = new Set<string>(['ready', 'copyVoiceId', 'insertSnippet', 'showLog']);

export function isPlayerToHost(v: unknown): v is PlayerToHost {
  return isPlainRecord(v) && hasExactKeys(v, ['type']) && typeof v.type === 'string' && TYPES.has(v.type);
}
