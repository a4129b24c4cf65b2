// Creating a voice from a local file without the command's dialogs: the core of the exported API's
// createVoice({ file }), the Create Voice form's local-file source and the trimmer.
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { summaryLine, uniqueVoiceNames } from '../audio';
import { CreateVoiceInput, KlingError, VoiceTask, validateVoiceName } from '../kling';
import type { VoiceService } from '../service/voiceService';
import { UploadError, type UploadResult } from '../upload';
import { UploadConsent, createUploadProvider } from '../upload/vscodeUpload';
import { checkFile, fileConsentSample, toUri, type Prepared } from './inspect';
import type { ConsentGiven } from '../service/consentGate';
import { Runner } from './runner';
import type { FromFileDeps, FromFileOptions } from './types';

export function takenNames(service: VoiceService): string[] {
  return service.history.all().map((e) => e.voiceName);
}

/** Why nothing was uploaded without a key (a function: worded at use, after l10n.config). */
export function noKeyMessage(): string {
  return l10n.t("No API key is set, so nothing was uploaded. Run 'Kling Voice: Set API Key' first.");
}

/** What a file create the speaker's consent was declined for says (a function: translated when called). */
export function noConsentMessage(): string {
  return l10n.t("Not uploaded: the speaker's consent was not confirmed. Nothing was sent.");
}

/**
 * The speaker's consent for these files, through the service's one consent gate, before anything is uploaded (asked
 * once for the files without one). The create that follows finds it and does not ask again.
 */
export async function speakerConsent(deps: FromFileDeps, files: Prepared[], given?: ConsentGiven): Promise<boolean> {
  const records = await deps.service.consent.require(
    await Promise.all(files.map(fileConsentSample)),
    given,
    deps.service.serviceHost(),
  );
  if (!records) {
    deps.log.info("the speaker's consent was not confirmed; nothing was uploaded or sent");
  }
  return records !== undefined;
}

/** Refuses before any upload when no key is stored: a sample must not leave the machine for a task that cannot start. */
export async function requireApiKey(deps: FromFileDeps): Promise<void> {
  if (!(await deps.service.hasApiKey())) {
    throw new KlingError({ kind: 'noApiKey', message: noKeyMessage() });
  }
}

/**
 * Creates one voice from a local file without any UI but the consent prompt (skipped with `consent: true`
 * or a consented destination): the core of the exported API's `createVoice({ file })`.
 * Rejects with a KlingError of kind 'invalidInput' when the file breaks the rules (nothing is uploaded or
 * sent), an UploadError when the upload fails, and the usual KlingErrors from the API.
 */
export async function createVoiceFromFile(
  deps: FromFileDeps,
  file: string | vscode.Uri,
  input: { voiceName?: string },
  options: Omit<FromFileOptions, 'noPrompt' | 'voiceName'> = {},
): Promise<VoiceTask> {
  const uri = toUri(file);
  const checked = await checkFile(uri, options.trim === 'suggested', options.normalize === true);
  if (!checked.ok) {
    throw new KlingError({
      kind: 'invalidInput',
      message:
        checked.message +
        (checked.trimmable ? ` ${l10n.t("Pass trim: 'suggested' to send the suggested 5–30 s window.")}` : ''),
    });
  }
  const voiceName = (
    input.voiceName ?? uniqueVoiceNames([checked.file.displayName], takenNames(deps.service))[0]
  ).trim();
  const nameProblem = validateVoiceName(voiceName);
  if (nameProblem) {
    throw new KlingError({ kind: 'invalidInput', message: nameProblem });
  }
  await requireApiKey(deps);
  const provider = await createUploadProvider(deps.context.secrets, deps.log);
  if (!provider) {
    throw new UploadError(
      l10n.t(
        'No upload provider is set: set klingVoice.upload.provider to "s3" or "http", or pass a public URL as voiceUrl.',
      ),
    );
  }
  if (!(await speakerConsent(deps, [checked.file], options.speakerConsent))) {
    throw new KlingError({ kind: 'cancelled', message: noConsentMessage() });
  }
  const consent = new UploadConsent(deps.context.globalState);
  if (!(await consent.ensure(provider, 1, options.consent))) {
    throw new KlingError({
      kind: 'cancelled',
      message: l10n.t('Upload to {0} not allowed; nothing was sent.', provider.destination),
    });
  }
  logReport(deps.log, checked.file);
  const runner = new Runner(deps, provider);
  const signal = options.signal ?? new AbortController().signal;
  const uploaded = await runner.upload(checked.file, signal);
  return runner.create(voiceName, uploaded, checked.file, {
    signal,
    wait: options.wait !== false,
    consent: options.speakerConsent,
  });
}

export interface UploadAndCreateHooks {
  signal: AbortSignal;
  /**
   * The speaker's consent or the first upload to this destination: a modal question is about to show (nothing is
   * sent yet).
   */
  onConsentPrompt?: () => void;
  /** Consent is known and the file starts to go out (before the first onUploadProgress). */
  onUploadStart?: () => void;
  /** 0–100 while the file is sent. */
  onUploadProgress?: (percent: number) => void;
  /** The file is uploaded; the create request goes next. */
  onUploaded?: () => void;
  onSubmitted?: (t: VoiceTask) => void;
  onUpdate?: (t: VoiceTask) => void;
}

/**
 * Uploads a checked file (asking for consent once per destination, as the explorer command does) and creates
 * the voice from the upload's URL, following the task to its end: the pipeline behind the Create Voice form's
 * local-file source and the trimmer. Throws an UploadError when no provider is set or the upload fails, and
 * a KlingError of kind 'cancelled' when the user declines the upload or cancels.
 */
export async function uploadAndCreate(
  deps: FromFileDeps,
  file: Prepared,
  input: Omit<CreateVoiceInput, 'voiceUrl' | 'videoId'>,
  hooks: UploadAndCreateHooks,
): Promise<VoiceTask> {
  await requireApiKey(deps);
  const provider = await createUploadProvider(deps.context.secrets, deps.log);
  if (!provider) {
    throw new UploadError(
      l10n.t(
        'No upload provider is set: set klingVoice.upload.provider to "s3" or "http" in the settings, or paste a public URL instead.',
      ),
    );
  }
  if (deps.service.consent.wouldAsk([await fileConsentSample(file)])) {
    hooks.onConsentPrompt?.();
  }
  if (!(await speakerConsent(deps, [file]))) {
    throw new KlingError({ kind: 'cancelled', message: noConsentMessage() });
  }
  const consent = new UploadConsent(deps.context.globalState);
  if (!consent.has(provider.destination)) {
    hooks.onConsentPrompt?.();
  }
  if (!(await consent.ensure(provider, 1))) {
    throw new KlingError({
      kind: 'cancelled',
      message: l10n.t('Upload to {0} not allowed; nothing was sent.', provider.destination),
    });
  }
  logReport(deps.log, file);
  const runner = new Runner(deps, provider);
  let uploaded: UploadResult;
  hooks.onUploadStart?.();
  try {
    uploaded = await runner.upload(file, hooks.signal, hooks.onUploadProgress);
  } catch (e) {
    if (e instanceof UploadError && e.cancelled) {
      throw new KlingError({ kind: 'cancelled', message: l10n.t('Upload cancelled; nothing was sent to Kling.') });
    }
    throw e;
  }
  hooks.onUploaded?.();
  return runner.create(input, uploaded, file, {
    signal: hooks.signal,
    wait: true,
    onUpdate: hooks.onUpdate,
    onSubmitted: hooks.onSubmitted,
  });
}

export function logReport(log: vscode.LogOutputChannel, file: Prepared): void {
  log.info(
    `sample ${file.displayName}: ${summaryLine(file.probe, file.report)}${file.trimmed ? ` (window ${file.trimmed.startSec.toFixed(2)}–${file.trimmed.endSec.toFixed(2)} s)` : ''}`,
  );
  for (const w of file.report?.warnings ?? []) {
    log.warn(`sample ${file.displayName}: ${w}`);
  }
}
