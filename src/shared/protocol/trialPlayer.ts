// Messages between the Trial Audio player tab and the extension host. Pure: no vscode, no DOM.
import { hasExactKeys, isPlainRecord } from './guards';

/** The part of the sample that was sent to Kling (a trimmed window), in seconds of the file. */
export interface SampleWindow {
  startSec: number;
  endSec: number;
}

/**
 * The sample the voice was cloned from, beside the trial (A/B listen). `id` changes only when the sample does: a
 * state posted again (the tab shown again, a key change) with the same id keeps the page's player as it is.
 */
export type PlayerSample =
  /** A public link (https, or http on loopback: the host drops anything else). */
  | { kind: 'url'; id: number; url: string; label: string }
  /** A local file's bytes, which the page plays from a blob: URL of its own (the file's folder is never exposed). */
  | { kind: 'bytes'; id: number; bytes: Uint8Array; mime: string; label: string; window?: SampleWindow }
  /** The host is reading the file. */
  | { kind: 'loading'; id: number }
  /** Nothing to play, and why, in one line (a preset, a signed link, a file that has gone, …). */
  | { kind: 'none'; id: number; reason: string };

/** Host → page: the voice to play. `play` counts the times Play was asked for: a new count starts from the top. */
export interface PlayerStateMessage {
  type: 'state';
  voiceName: string;
  voiceId: string;
  /** An https (or loopback http) URL: the host drops anything else before it gets here. */
  trialUrl: string;
  play: number;
  sample: PlayerSample;
}

export type HostToPlayer = PlayerStateMessage;

/** Page → host: `ready`, or the card's buttons (the host uses its own copy of the voice id). */
export type PlayerToHost =
  { type: 'ready' } | { type: 'copyVoiceId' } | { type: 'insertSnippet' } | { type: 'showLog' };

const TYPES = new Set<string>(['ready', 'copyVoiceId', 'insertSnippet', 'showLog']);

export function isPlayerToHost(v: unknown): v is PlayerToHost {
  return isPlainRecord(v) && hasExactKeys(v, ['type']) && typeof v.type === 'string' && TYPES.has(v.type);
}
