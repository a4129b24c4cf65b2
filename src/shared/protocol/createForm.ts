// Messages between the Create Voice webview and the extension host. Pure: no vscode, no DOM.
// The host checks everything it receives with `isWebviewToHost` and drops what fails.
import { FORM_SOURCES, type CreateFormValues, type FieldMessages, type FormSource } from '../createForm';
import { hasExactKeys, isBoundedString, isPlainRecord } from './guards';

// ---------------------------------------------------------------------------------------------------------------
// Host → webview

/** What the form shows below its fields; the host owns it, the webview only renders it. */
export type TaskView =
  | { phase: 'idle' }
  | {
      phase: 'running';
      voiceName: string;
      /** `uploading` a local file first; `submitting` until the API has answered the create call. */
      status: 'uploading' | 'submitting' | 'submitted' | 'processing';
      /** While uploading: how much of the file is sent, 0–100 (absent until the upload really starts). */
      uploadPercent?: number;
      /** While uploading: the first upload to a destination waits for the user's answer to a modal question. */
      awaitingConsent?: boolean;
      taskId?: string;
      /** Milliseconds since the submit, measured by the host when the message was sent (clocks may differ). */
      elapsedMs: number;
      cancelling: boolean;
    }
  | { phase: 'succeeded'; voiceName: string; voiceId: string; taskId: string; trialUrl?: string }
  | {
      phase: 'failed';
      /** `task`: Kling ran the task and it failed; `error`: the request failed; `cancelled`: the user stopped following it. */
      /** `running`: followed past klingVoice.taskTimeoutMinutes; the task goes on at Kling (not a failure). */
      reason: 'task' | 'error' | 'cancelled' | 'running';
      voiceName: string;
      message: string;
      taskId?: string;
    };

/** Measurements of a decoded sample (src/audio/quality.ts), in dBFS, dB and shares 0–1. */
export interface QualitySummary {
  peakDbfs: number;
  rmsDbfs: number;
  clippingShare: number;
  silenceShare: number;
  noiseFloorDbfs: number;
  snrDb: number;
}

/** Where local samples are uploaded (setting `klingVoice.upload.provider`). */
export type UploadProviderName = 'none' | 's3' | 'http';

/** What the host found in the local file chosen in the form. The file itself never goes to the page. */
export interface FileView {
  fileName: string;
  /** true while the host reads and checks the file. */
  checking: boolean;
  /** The file can be uploaded as it is. */
  usable: boolean;
  /** Container and codec, e.g. "WAV PCM". */
  format?: string;
  durationSec?: number;
  channels?: number;
  sampleRate?: number;
  sizeBytes?: number;
  /** Present when the audio could be decoded (wav, mp3; not the AAC of most mp4/mov). */
  quality?: QualitySummary;
  /** Things to check that do not block. */
  warnings: string[];
  /** Why it cannot be sent as it is, with its real numbers; empty when usable. */
  problems: string[];
  /** The trimmer can cut a 5–30 s window from it (decodable, only the length is wrong) or suggest a better one. */
  trimmable: boolean;
  /** A voice name made from the file name (≤ 20 characters, unlike the names in the history); the page uses it when the name is empty. */
  suggestedName?: string;
}

/** The whole host-side state; sent after `ready` and whenever it changes. */
export interface StateMessage {
  type: 'state';
  hasApiKey: boolean;
  task: TaskView;
  /** The local file chosen for the file source, if any. */
  file?: FileView;
  uploadProvider: UploadProviderName;
}

/** The host refused a submit because the input is invalid (it validates again; the webview is not trusted). */
export interface InvalidMessage {
  type: 'invalid';
  errors: FieldMessages;
}

/** Fills the form's fields (Edit and Retry of a failed task from My Voices); the page replaces what it had. */
export interface PrefillMessage {
  type: 'prefill';
  form: CreateFormValues;
}

export type HostToWebview = StateMessage | InvalidMessage | PrefillMessage;

// ---------------------------------------------------------------------------------------------------------------
// Webview → host

/** The webview has loaded and listens; the host answers with the current state. */
export interface ReadyMessage {
  type: 'ready';
}

/** Create a voice from the form (validated again by the host). */
export interface SubmitMessage {
  type: 'submit';
  form: CreateFormValues;
}

/** Stop following the running task (aborts the HTTP request and the polling). */
export interface CancelMessage {
  type: 'cancel';
}

/** Open the host's file dialog for a local sample. */
export interface ChooseFileMessage {
  type: 'chooseFile';
}

/** Copy the voice id of the result shown to the clipboard (the host uses its own copy of the id). */
export interface CopyVoiceIdMessage {
  type: 'copyVoiceId';
}

/** Insert a code snippet using the voice id of the result shown. */
export interface InsertSnippetMessage {
  type: 'insertSnippet';
}

/** Show the extension's log. */
export interface ShowLogMessage {
  type: 'showLog';
}

/** Run "Kling Voice: Set API Key". */
export interface SetApiKeyMessage {
  type: 'setApiKey';
}

/** Leave the result or failure and go back to the form ("Create another"). */
export interface ResetMessage {
  type: 'reset';
}

/** Open the Settings editor at `klingVoice.upload` (no upload provider is configured). */
export interface OpenUploadSettingsMessage {
  type: 'openUploadSettings';
}

/** Open the chosen local file in the trimmer (the host uses its own copy of the file's location). */
export interface OpenTrimmerMessage {
  type: 'openTrimmer';
}

export type WebviewToHost =
  | ReadyMessage
  | SubmitMessage
  | CancelMessage
  | ChooseFileMessage
  | CopyVoiceIdMessage
  | InsertSnippetMessage
  | ShowLogMessage
  | SetApiKeyMessage
  | ResetMessage
  | OpenUploadSettingsMessage
  | OpenTrimmerMessage;

// ---------------------------------------------------------------------------------------------------------------
// Guard

/** Upper bounds for strings from the webview; generous, so the host's own validation gives the real message. */
export const MAX_LENGTHS: Readonly<Record<keyof CreateFormValues, number>> = {
  voiceName: 200,
  source: 8,
  voiceUrl: 4096,
  videoId: 256,
  callbackUrl: 4096,
  externalTaskId: 256,
};

const NO_PAYLOAD = new Set<WebviewToHost['type']>([
  'ready',
  'cancel',
  'chooseFile',
  'copyVoiceId',
  'insertSnippet',
  'showLog',
  'setApiKey',
  'reset',
  'openUploadSettings',
  'openTrimmer',
]);

export function isFormSource(v: unknown): v is FormSource {
  return typeof v === 'string' && (FORM_SOURCES as readonly string[]).includes(v);
}

export function isCreateFormValues(v: unknown): v is CreateFormValues {
  if (!isPlainRecord(v) || !hasExactKeys(v, Object.keys(MAX_LENGTHS))) {
    return false;
  }
  for (const [key, max] of Object.entries(MAX_LENGTHS)) {
    if (!isBoundedString(v[key], max)) {
      return false;
    }
  }
  return isFormSource(v.source);
}

/** True only for a well-formed message from the webview: known type, exact fields, field types and string lengths checked. */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!isPlainRecord(value) || typeof value.type !== 'string') {
    return false;
  }
  const type = value.type as WebviewToHost['type'];
  if (NO_PAYLOAD.has(type)) {
    return hasExactKeys(value, ['type']);
  }
  if (type === 'submit') {
    return hasExactKeys(value, ['type', 'form']) && isCreateFormValues(value.form);
  }
  return false;
}
