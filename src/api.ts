import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { KlingError, type CreateVoiceInput, type Voice, type VoiceTask } from './kling';
import { VoiceService } from './service/voiceService';
import type { ConsentGiven } from './service/consentGate';
import { cleanStatement } from './shared/consent';

export type { Voice, VoiceTask };

/** A create request: a URL, an earlier video id, or a local file (a path or a `file:` URI) to check and upload. */
export interface ApiCreateVoiceInput extends Omit<CreateVoiceInput, 'voiceName'> {
  /** Required for URL and video sources; for a file it defaults to a name derived from the file name. */
  voiceName?: string;
  file?: string | vscode.Uri;
}

export interface ApiCreateOptions {
  wait?: boolean;
  /**
   * `{ statement }`: the speaker's consent, recorded with the voice (the user is not asked); for `file` it also allows
   * the upload to the configured destination. `true` (for `file`): allows the upload only; the speaker's consent is
   * then asked once per sample, unless klingVoice.consent.preAccepted is on.
   */
  consent?: boolean | { statement: string };
  /** For `file`: send the suggested 5–30 s window of a file that is too long. */
  trim?: 'suggested';
}

/** Creates a voice from a local file (the upload pipeline), injected by the composition root. */
export type FileCreator = (
  file: string | vscode.Uri,
  input: { voiceName?: string },
  options: { wait?: boolean; consent?: boolean; speakerConsent?: ConsentGiven; trim?: 'suggested' },
) => Promise<VoiceTask>;

/** What `activate()` returns to other extensions (see the README). */
export interface KlingVoiceApi {
  /**
   * Resolves with the final task (status 'succeed' or 'failed') when wait is true (the default),
   * or with the submitted task when false. Rejects on invalid input, API errors, task timeout, cancellation.
   */
  createVoice(input: ApiCreateVoiceInput, options?: ApiCreateOptions): Promise<VoiceTask>;
  getTask(taskId: string): Promise<VoiceTask>;
  /** Every page of the account's own voice tasks. */
  listCustomVoices(): Promise<VoiceTask[]>;
  listPresetVoices(): Promise<Voice[]>;
  deleteVoice(voiceId: string): Promise<void>;
}

/** A local rejection: nothing was sent (status, code and requestId stay undefined, retryable is false). */
function invalidInput(message: string): KlingError {
  return new KlingError({ kind: 'invalidInput', message });
}

/** `consent: { statement }` as the service takes it; invalidInput for a consent that is neither true nor a statement. */
function statedConsent(consent: unknown): ConsentGiven | undefined {
  if (consent === undefined || consent === true || consent === false) {
    return undefined;
  }
  const statement =
    typeof consent === 'object' && consent !== null
      ? cleanStatement((consent as { statement?: unknown }).statement)
      : '';
  if (!statement) {
    throw invalidInput(
      l10n.t(
        'consent must be true (for a file: allow the upload) or { statement: "I have the speaker\'s permission to clone this voice for …" }.',
      ),
    );
  }
  return { statement, via: 'api' };
}

export function createApi(service: VoiceService, createFromFile: FileCreator): KlingVoiceApi {
  return {
    // Callers are other extensions, often plain JavaScript: the shape is checked before anything is read from
    // it, so a wrong argument rejects with the typed `invalidInput` error, not a TypeError.
    createVoice: async (input, options) => {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw invalidInput(
          l10n.t(
            'No voice input was given: pass an object such as { voiceName, voiceUrl }, { voiceName, videoId } or { file }.',
          ),
        );
      }
      const speakerConsent = statedConsent(options?.consent);
      if (input.file !== undefined) {
        if (input.voiceUrl || input.videoId) {
          throw invalidInput(l10n.t('Give one source: a file, an audio URL or a video id.'));
        }
        const file: unknown = input.file;
        if (!(file instanceof vscode.Uri) && !(typeof file === 'string' && file.trim() !== '')) {
          throw invalidInput(l10n.t('file must be a path or a file URI (a string or a vscode.Uri).'));
        }
        if (input.voiceName !== undefined && typeof input.voiceName !== 'string') {
          throw invalidInput(l10n.t('The voice name must be text.'));
        }
        return createFromFile(
          input.file,
          { voiceName: input.voiceName },
          {
            wait: options?.wait,
            consent: options?.consent === true || speakerConsent !== undefined,
            speakerConsent,
            trim: options?.trim,
          },
        );
      }
      // The service checks the rest (name, exactly one source, URLs) before anything is sent.
      return service.createVoice(input as CreateVoiceInput, { wait: options?.wait !== false, consent: speakerConsent });
    },
    getTask: (taskId) => service.getTask(taskId),
    listCustomVoices: () => service.listCustomVoices(),
    listPresetVoices: () => service.listPresetVoices(),
    deleteVoice: (voiceId) => service.deleteVoice(voiceId),
  };
}
