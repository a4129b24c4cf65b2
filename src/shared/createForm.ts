// The Create Voice form's fields and its validation, shared by the webview (inline errors) and the
// host (which validates again before anything is sent). Pure: no vscode, no DOM.
import * as l10n from '@vscode/l10n';
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

/** Shown for the local-file source before a file is chosen (a function: translated at use, after l10n.config). */
export function noFileChosen(): string {
  return l10n.t('Choose an audio or video file with 5 to 30 seconds of one voice.');
}

/** What the form knows of the chosen local file (the host checked it). */
export interface LocalFileStatus {
  /** true when the file can be uploaded as it is (type, 5–30 s, size, decodable or checked by its headers). */
  usable: boolean;
  /** Why it cannot, with the file's real numbers; also "checking…" while the host looks at it. */
  problem?: string;
}

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

/**
 * The client's rules (validateCreateInput), with each message put next to the field it belongs to.
 * For the local-file source, `file` is what the host found in the chosen file; the returned `input` then has
 * no `voiceUrl`: the host adds the upload's URL.
 */
export function validateForm(form: CreateFormValues, file?: LocalFileStatus): FormValidation {
  const errors: FieldMessages = {};
  const warnings: FieldMessages = {};
  const input = formToInput(form);
  const result = validateCreateInput(input);
  for (const issue of result.errors) {
    switch (issue.field) {
      case 'source':
        // "No source given": say it in the words of the field the user chose.
        if (form.source === 'url') {
          errors.voiceUrl ??= validateHttpUrl(form.voiceUrl, l10n.t('audio URL')) ?? issue.message;
        } else if (form.source === 'video') {
          errors.videoId ??= validateVideoId(form.videoId) ?? issue.message;
        }
        // The file source is checked below: its URL comes from the upload.
        break;
      default:
        errors[issue.field] ??= issue.message;
    }
  }
  if (form.source === 'file') {
    if (!file) {
      errors.file = noFileChosen();
    } else if (!file.usable) {
      errors.file = file.problem ?? l10n.t('This file cannot be used.');
    }
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
