import type { CreateVoiceInput, Voice, VoiceTask } from './kling';
import { VoiceService } from './service/voiceService';

export type { CreateVoiceInput, Voice, VoiceTask };

/** What `activate()` returns to other extensions (see the README). */
export interface KlingVoiceApi {
  /**
   * Resolves with the final task (status 'succeed' or 'failed') when wait is true (the default),
   * or with the submitted task when false. Rejects on invalid input, API errors, task timeout, cancellation.
   */
  createVoice(input: CreateVoiceInput, options?: { wait?: boolean }): Promise<VoiceTask>;
  getTask(taskId: string): Promise<VoiceTask>;
  /** Every page of the account's own voice tasks. */
  listCustomVoices(): Promise<VoiceTask[]>;
  listPresetVoices(): Promise<Voice[]>;
  deleteVoice(voiceId: string): Promise<void>;
}

export function createApi(service: VoiceService): KlingVoiceApi {
  return {
    createVoice: (input, options) => service.createVoice(input, { wait: options?.wait !== false }),
    getTask: (taskId) => service.getTask(taskId),
    listCustomVoices: () => service.listCustomVoices(),
    listPresetVoices: () => service.listPresetVoices(),
    deleteVoice: (voiceId) => service.deleteVoice(voiceId),
  };
}
