// The trimmer webview's messages, their guard and the page's saved state. The host checks everything it receives
// with `isTrimmerToHost`.
import { type QualitySummary, type TaskView, type UploadProviderName } from './createForm';
import { hasExactKeys, isBoundedString, isPlainRecord } from './guards';
import { MAX_TRIMMER_FILE_SEC, type Selection } from '../selection';

// ---------------------------------------------------------------------------------------------------------------
// Host → trimmer page

/** The file, its waveform and its report: sent once after `ready` (and again if the page reloads). */
export interface TrimmerLoadMessage {
  type: 'load';
  /** The file's URI, for the page's saved state only (see TrimmerSavedState); the host keeps its own copy. */
  uri: string;
  fileName: string;
  durationSec: number;
  /** "WAV PCM", "MP3 MPEG 1 Layer 3". */
  format: string;
  sampleRate: number;
  channels: number;
  sizeBytes: number;
  /** Peak level (0–1) of equal slices of the mono mix: a few thousand numbers, never the audio itself. */
  envelope: number[];
  /** The best window (src/audio/window.ts), pre-selected. */
  suggested: Selection;
  quality: QualitySummary;
  /** The quality report's warnings (whole file) and the rule problems (e.g. too long). */
  warnings: string[];
  problems: string[];
  /** The name typed in this panel so far, else one derived from the file name. */
  voiceName: string;
}

/** The file could not be opened in the trimmer (gone, unreadable, not decodable: most mp4/mov), or a tab could not be restored. */
export interface TrimmerLoadErrorMessage {
  type: 'loadError';
  /** The file's URI when there is one (kept in the saved state, so the tab still points at it after a reload). */
  uri?: string;
  message: string;
}

/** The selection as mono 16-bit WAV, to play. The page turns it into a blob: URL. */
export interface TrimmerPreviewMessage {
  type: 'preview';
  selection: Selection;
  wav: Uint8Array;
}

/** The create task as the trimmer shows it: the form's TaskView (with `awaitingConsent` while the upload waits for the consent answer). */
export type TrimmerTaskView = TaskView;

/** What the host's side is doing: key, upload provider and the create task. */
export interface TrimmerStatusMessage {
  type: 'status';
  hasApiKey: boolean;
  uploadProvider: UploadProviderName;
  task: TrimmerTaskView;
}

/** The host refused a request (invalid selection or name); the page shows the message. */
export interface TrimmerInvalidMessage {
  type: 'invalid';
  message: string;
}

export type HostToTrimmer =
  TrimmerLoadMessage | TrimmerLoadErrorMessage | TrimmerPreviewMessage | TrimmerStatusMessage | TrimmerInvalidMessage;

// ---------------------------------------------------------------------------------------------------------------
// Trimmer page → host

/** The page listens; the host answers with `load` and `status`. */
export interface TrimmerReadyMessage {
  type: 'ready';
}

/** Export the selection (as it would be sent) for playing. */
export interface TrimmerPreviewRequest {
  type: 'preview';
  selection: Selection;
  normalize: boolean;
}

/** Export the selection as mono 16-bit WAV, upload it and create the voice. */
export interface TrimmerCreateRequest {
  type: 'create';
  selection: Selection;
  normalize: boolean;
  voiceName: string;
}

/** Stop the upload or stop following the task. */
export interface TrimmerCancelMessage {
  type: 'cancel';
}

/** Open the Settings editor at `klingVoice.upload`. */
export interface TrimmerOpenUploadSettingsMessage {
  type: 'openUploadSettings';
}

/** Copy the created voice's id (the host uses its own copy). */
export interface TrimmerCopyVoiceIdMessage {
  type: 'copyVoiceId';
}

/** Insert a video request snippet using the created voice (the host uses its own copy of the id). */
export interface TrimmerInsertSnippetMessage {
  type: 'insertSnippet';
}

/** Show the extension's log. */
export interface TrimmerShowLogMessage {
  type: 'showLog';
}

/** The voice name as typed: the host keeps it for this panel, so it survives the page being hidden and shown. */
export interface TrimmerVoiceNameMessage {
  type: 'voiceName';
  voiceName: string;
}

export type TrimmerToHost =
  | TrimmerReadyMessage
  | TrimmerPreviewRequest
  | TrimmerCreateRequest
  | TrimmerCancelMessage
  | TrimmerOpenUploadSettingsMessage
  | TrimmerCopyVoiceIdMessage
  | TrimmerInsertSnippetMessage
  | TrimmerShowLogMessage
  | TrimmerVoiceNameMessage;

const TRIMMER_NO_PAYLOAD = new Set<string>([
  'ready',
  'cancel',
  'openUploadSettings',
  'copyVoiceId',
  'insertSnippet',
  'showLog',
]);
/** Longer than any name Kling accepts (20), so the host's own validation gives the real message. */
const MAX_NAME_FROM_PAGE = 200;

/** A selection from the page: two finite, non-negative numbers within the longest file, in order. */
export function isSelection(v: unknown): v is Selection {
  if (!isPlainRecord(v) || !hasExactKeys(v, ['startSec', 'endSec'])) {
    return false;
  }
  const { startSec, endSec } = v;
  return (
    typeof startSec === 'number' &&
    typeof endSec === 'number' &&
    Number.isFinite(startSec) &&
    Number.isFinite(endSec) &&
    startSec >= 0 &&
    endSec > startSec &&
    endSec <= MAX_TRIMMER_FILE_SEC
  );
}

/** True only for a well-formed message from the trimmer page: known type, exact fields, types and bounds checked. */
export function isTrimmerToHost(value: unknown): value is TrimmerToHost {
  if (!isPlainRecord(value) || typeof value.type !== 'string') {
    return false;
  }
  if (TRIMMER_NO_PAYLOAD.has(value.type)) {
    return hasExactKeys(value, ['type']);
  }
  if (value.type === 'preview') {
    return (
      hasExactKeys(value, ['type', 'selection', 'normalize']) &&
      isSelection(value.selection) &&
      typeof value.normalize === 'boolean'
    );
  }
  if (value.type === 'create') {
    return (
      hasExactKeys(value, ['type', 'selection', 'normalize', 'voiceName']) &&
      isSelection(value.selection) &&
      typeof value.normalize === 'boolean' &&
      isBoundedString(value.voiceName, MAX_NAME_FROM_PAGE)
    );
  }
  if (value.type === 'voiceName') {
    return hasExactKeys(value, ['type', 'voiceName']) && isBoundedString(value.voiceName, MAX_NAME_FROM_PAGE);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Saved state (webview getState/setState): what a trimmer tab keeps across hide/show and window reloads

/**
 * Everything the trimmer page saves, and so everything a restored tab starts from: the file and the window.
 * It is read back from disk after a reload, so it is untrusted: parse it with `parseTrimmerState`.
 */
export interface TrimmerSavedState {
  /** The file's URI as `Uri.toString()` gave it. */
  uri: string;
  selection?: Selection;
  normalize: boolean;
}

/** File types the trimmer decodes (its menus and its file dialog offer only these). */
export const TRIMMER_EXTENSIONS: readonly string[] = ['.wav', '.mp3'];
const MAX_SAVED_URI = 4096;

/**
 * Reads a saved state, trusting nothing: the URI must be a bounded string with a scheme, no query or fragment,
 * and a path ending in .wav or .mp3 (the host checks the scheme further); a selection that is not two ordered,
 * finite numbers within the longest file is dropped (the suggested window is used instead); `normalize` is
 * true only when it is exactly `true`. Anything else in the state is ignored. Undefined when there is no usable URI.
 */
export function parseTrimmerState(raw: unknown): TrimmerSavedState | undefined {
  if (!isPlainRecord(raw)) {
    return undefined;
  }
  const uri = raw.uri;
  if (!isBoundedString(uri, MAX_SAVED_URI) || !/^[a-z][a-z0-9+.-]*:[^\s?#]+$/i.test(uri)) {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(uri.slice(uri.indexOf(':') + 1)).toLowerCase();
  } catch {
    return undefined;
  }
  if (!TRIMMER_EXTENSIONS.some((ext) => path.endsWith(ext))) {
    return undefined;
  }
  return {
    uri,
    selection: isSelection(raw.selection)
      ? { startSec: raw.selection.startSec, endSec: raw.selection.endSec }
      : undefined,
    normalize: raw.normalize === true,
  };
}
