// The Create Voice form's fields and its validation, shared by the webview (inline errors) and the
// host (which validates again before anything is sent). Pure: no vscode, no DOM.
import type { CreateVoiceInput } from '../kling/types';
import { urlExtensionWarning, validateCreateInput, validateHttpUrl, validateVideoId } from '../kling/validation';

/** Where the voice sample comes from. */
export type FormSource = 'url' | 'file' | 'video';

export const FORM_SOURCES: readonly FormSource[] = ['url', 'file', 'video'];

/** Every field of the form as the user typed it (untrimmed). */
export interface CreateFormValues {
  voiceName: string;
  source: FormSource;
  voiceUrl: string;
  videoId: string;
  callbackUrl: string;
  externalTaskId: string;
}

/** The fields that can carry an inline message. */
export type FormField = 'voiceName' | 'voiceUrl' | 'file' | 'videoId' | 'callbackUrl' | 'externalTaskId';

export type FieldMessages = Partial<Record<FormField, string>>;

export interface FormValidation {
  /** Messages that keep the form from being sent. */
  errors: FieldMessages;
  /** Messages worth a look that do not block (e.g. an unusual URL extension). */
  warnings: FieldMessages;
  /** The request to send, present only when there is no error. */
  input?: CreateVoiceInput;
}

/** Shown in the form and used by the host when the local-file source is chosen. */
export const LOCAL_FILE_UNAVAILABLE =
  'Uploading local files is not available yet: configure an upload provider (coming soon) or paste a public URL instead.';

export function emptyForm(): CreateFormValues {
  return { voiceName: '', source: 'url', voiceUrl: '', videoId: '', callbackUrl: '', externalTaskId: '' };
}

/** The request for the chosen source only: fields of the other sources are never sent. */
export function formToInput(form: CreateFormValues): CreateVoiceInput {
  const input: CreateVoiceInput = { voiceName: form.voiceName.trim() };
  if (form.source === 'url') {
    input.voiceUrl = form.voiceUrl.trim();
  } else if (form.source === 'video') {
    input.videoId = form.videoId.trim();
  }
  if (form.callbackUrl.trim()) {
    input.callbackUrl = form.callbackUrl.trim();
  }
  if (form.externalTaskId !== '') {
    input.externalTaskId = form.externalTaskId;
  }
  return input;
}

/** The client's rules (validateCreateInput), with each message put next to the field it belongs to. */
export function validateForm(form: CreateFormValues): FormValidation {
  const errors: FieldMessages = {};
  const warnings: FieldMessages = {};
  const input = formToInput(form);
  const result = validateCreateInput(input);
  for (const issue of result.errors) {
    switch (issue.field) {
      case 'source':
        // "No source given": say it in the words of the field the user chose.
        if (form.source === 'url') {
          errors.voiceUrl ??= validateHttpUrl(form.voiceUrl, 'audio URL') ?? issue.message;
        } else if (form.source === 'video') {
          errors.videoId ??= validateVideoId(form.videoId) ?? issue.message;
        }
        break;
      default:
        errors[issue.field] ??= issue.message;
    }
  }
  if (form.source === 'file') {
    errors.file = LOCAL_FILE_UNAVAILABLE;
  }
  for (const w of result.warnings) {
    if (w.field !== 'source') {
      warnings[w.field] ??= w.message;
    }
  }
  // The client only warns once the URL is valid; the form warns as soon as the path shows an extension.
  if (form.source === 'url' && !warnings.voiceUrl) {
    const w = urlExtensionWarning(form.voiceUrl);
    if (w) {
      warnings.voiceUrl = w;
    }
  }
  const ok = Object.keys(errors).length === 0;
  return ok ? { errors, warnings, input } : { errors, warnings };
}
