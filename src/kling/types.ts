/** Status of a Kling custom-voice task. `succeed` and `failed` are terminal. */
export type TaskStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

/** A voice, custom or preset. */
export interface Voice {
  voiceId: string;
  voiceName: string;
  /** Preview audio produced by Kling (may expire). */
  trialUrl?: string;
  /** `"kling"` for the official library, otherwise the creator's numeric id. */
  ownedBy?: string;
}

/** A custom-voice task as returned by create, get and list. Ids are always strings. */
export interface VoiceTask {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  externalTaskId?: string;
  voices: Voice[];
  /** Unix time in milliseconds. */
  createdAt?: number;
  /** Unix time in milliseconds. */
  updatedAt?: number;
  /** Units charged, e.g. "0.05", when the service reports it. */
  unitDeduction?: string;
  /**
   * A failed task only: the request id and HTTP status of the answer that reported the failure. Kling answers a
   * failed task with `code: 0` (its reason is only in statusMessage), so these are what support asks for.
   */
  requestId?: string;
  httpStatus?: number;
}

/** What a caller gives to create a voice: exactly one of `voiceUrl` and `videoId`. */
export interface CreateVoiceInput {
  voiceName: string;
  voiceUrl?: string;
  videoId?: string;
  callbackUrl?: string;
  externalTaskId?: string;
}

/** Terminal states. */
export function isTerminal(status: TaskStatus): boolean {
  return status === 'succeed' || status === 'failed';
}

/** The API paths, appended to the configured base URL. */
export const PATHS = {
  customVoices: '/v1/general/custom-voices',
  presetVoices: '/v1/general/presets-voices',
  deleteVoices: '/v1/general/delete-voices',
} as const;
