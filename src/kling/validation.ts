import * as l10n from '@vscode/l10n';
import { MAX_VOICE_NAME_LENGTH, SUPPORTED_EXTENSIONS } from './rules';
import type { CreateVoiceInput } from './types';

export type InputField = 'voiceName' | 'voiceUrl' | 'videoId' | 'callbackUrl' | 'externalTaskId' | 'source';

export interface FieldIssue {
  field: InputField;
  message: string;
}

export interface ValidationResult {
  /** Problems that stop the request. */
  errors: FieldIssue[];
  /** Things worth a second look that do not stop the request. */
  warnings: FieldIssue[];
}

/** Length in user-perceived characters: code points, so an emoji or a CJK character counts once. */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) {
    n++;
  }
  return n;
}

export function validateVoiceName(name: string | undefined): string | undefined {
  const trimmed = (name ?? '').trim();
  if (!trimmed) {
    return l10n.t('Enter a voice name (1 to 20 characters).');
  }
  const n = characterCount(trimmed);
  if (n > MAX_VOICE_NAME_LENGTH) {
    return l10n.t(
      'The voice name has {0} characters; Kling accepts at most {1}. Shorten it.',
      n,
      MAX_VOICE_NAME_LENGTH,
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
    return l10n.t('The voice name contains control characters. Remove them.');
  }
  return undefined;
}

/** Checks an http(s) URL; `what` names the field in the message (already translated). */
export function validateHttpUrl(value: string | undefined, what: string): string | undefined {
  const v = (value ?? '').trim();
  if (!v) {
    return l10n.t('Enter the {0}.', what);
  }
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return l10n.t('The {0} is not a valid URL. Use a full address such as https://example.com/sample.wav.', what);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return l10n.t('The {0} must start with http:// or https:// (got {1}).', what, url.protocol);
  }
  if (!url.hostname) {
    return l10n.t('The {0} has no host name.', what);
  }
  return undefined;
}

/** Warns when the URL's path ends with an extension Kling does not document. Query strings are ignored. */
export function urlExtensionWarning(value: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(value.trim()).pathname;
  } catch {
    return undefined;
  }
  const last = pathname.split('/').pop() ?? '';
  const dot = last.lastIndexOf('.');
  if (dot <= 0) {
    return undefined; // no extension: presigned or generated URLs often have none
  }
  const ext = last.slice(dot).toLowerCase();
  if ((SUPPORTED_EXTENSIONS as readonly string[]).includes(ext)) {
    return undefined;
  }
  return l10n.t('The URL ends in "{0}"; Kling accepts .mp3, .wav, .mp4 and .mov. The task may fail.', ext);
}

export function validateVideoId(value: string | undefined): string | undefined {
  const v = (value ?? '').trim();
  if (!v) {
    return l10n.t('Enter the id of an earlier Kling video.');
  }
  if (/\s/.test(v)) {
    return l10n.t('A video id has no spaces.');
  }
  if (v.length > 128) {
    return l10n.t('That video id is too long to be a Kling video id.');
  }
  return undefined;
}

export function validateExternalTaskId(value: string | undefined): string | undefined {
  const v = value ?? '';
  if (!v) {
    return undefined;
  }
  if (v.trim() !== v || /\s/.test(v)) {
    return l10n.t('The external task id must not contain spaces.');
  }
  if (v.length > 64) {
    return l10n.t('The external task id is too long (at most 64 characters).');
  }
  return undefined;
}

/**
 * Checks a create request locally. Nothing is sent when `errors` is non-empty.
 * Exactly one of voiceUrl / videoId must be given: Kling's docs do not say whether both or neither are accepted,
 * some copies say to pick one, so the safe reading is exactly one (https://app.klingai.com/global/dev/document-api).
 */
export function validateCreateInput(input: Partial<CreateVoiceInput> | undefined): ValidationResult {
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  if (!input || typeof input !== 'object') {
    errors.push({ field: 'source', message: l10n.t('No voice input was given.') });
    return { errors, warnings };
  }
  const push = (field: InputField, message: string | undefined) => {
    if (message) {
      errors.push({ field, message });
    }
  };
  if (input.voiceName !== undefined && typeof input.voiceName !== 'string') {
    push('voiceName', l10n.t('The voice name must be text.'));
  } else {
    push('voiceName', validateVoiceName(input.voiceName));
  }
  for (const key of ['voiceUrl', 'videoId', 'callbackUrl', 'externalTaskId'] as const) {
    if (input[key] !== undefined && typeof input[key] !== 'string') {
      push(key, l10n.t('{0} must be text.', key));
    }
  }
  const hasUrl = typeof input.voiceUrl === 'string' && input.voiceUrl.trim() !== '';
  const hasVideo = typeof input.videoId === 'string' && input.videoId.trim() !== '';
  if (hasUrl && hasVideo) {
    push('source', l10n.t('Give either an audio URL or a video id, not both.'));
  } else if (!hasUrl && !hasVideo) {
    push('source', l10n.t('Give an audio/video URL or the id of an earlier Kling video.'));
  } else if (hasUrl) {
    const urlError = validateHttpUrl(input.voiceUrl, l10n.t('audio URL'));
    push('voiceUrl', urlError);
    if (!urlError) {
      const w = urlExtensionWarning(input.voiceUrl as string);
      if (w) {
        warnings.push({ field: 'voiceUrl', message: w });
      }
    }
  } else {
    push('videoId', validateVideoId(input.videoId));
  }
  if (typeof input.callbackUrl === 'string' && input.callbackUrl.trim() !== '') {
    push('callbackUrl', validateHttpUrl(input.callbackUrl, l10n.t('callback URL')));
  }
  if (typeof input.externalTaskId === 'string') {
    push('externalTaskId', validateExternalTaskId(input.externalTaskId));
  }
  return { errors, warnings };
}

/** The request body Kling expects, built from valid input: only the chosen source is sent. */
export function toCreateBody(input: CreateVoiceInput, externalTaskId: string): Record<string, string> {
  const body: Record<string, string> = { voice_name: input.voiceName.trim() };
  if (input.voiceUrl && input.voiceUrl.trim()) {
    body.voice_url = input.voiceUrl.trim();
  } else if (input.videoId) {
    body.video_id = input.videoId.trim();
  }
  if (input.callbackUrl && input.callbackUrl.trim()) {
    body.callback_url = input.callbackUrl.trim();
  }
  body.external_task_id = externalTaskId;
  return body;
}
