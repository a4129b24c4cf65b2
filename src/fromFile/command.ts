import { createHash } from 'crypto';
import * as vscode from 'vscode';
import { AudioWindow, MAX_DECODE_SEC, MAX_FILE_BYTES, PcmAudio, ProbeResult, QualityReport, analyze, checkRules, decodeAudio, exportWindowWav, formatBytes, probe, reportMarkdown, RuleCheck, suggestWindow, summaryLine, tooLongToDecode, uniqueVoiceNames, voiceNameFromFile } from '../audio';
import { CreateVoiceInput, KlingError, VoiceTask, isKlingError, isTerminal, mayHaveCreated, validateVoiceName } from '../kling';
import type { FileView, QualitySummary } from '../shared/protocol/createForm';
import type { VoiceService } from '../service/voiceService';
import { UploadError, UploadProvider, UploadResult } from '../upload';
import { UploadConsent, clearUploadCredentials, createUploadProvider, readUploadSettings, setUploadCredentials } from '../upload/vscodeUpload';
import { isConcurrencyLimit, runPool } from './batchPool';
import { showError, signalFor, statusLabel } from '../ui/notify';
import { COMMANDS, SETTINGS, VSCODE_COMMANDS } from '../ids';

export interface FromFileDeps {
  /** Where upload credentials (secrets) and remembered consents (globalState) live. */
  context: { secrets: vscode.SecretStorage; globalState: vscode.Memento };
  service: VoiceService;
  log: vscode.LogOutputChannel;
}

/**
 * Options of `klingVoice.createVoiceFromFile` for programmatic callers (third argument, or the first
 * as `{ files, ... }`) and of `createVoiceFromFile()`.
 */
export interface FromFileOptions {
  /** Ask nothing: names come from file names, files that break the rules are refused (or trimmed with `trim`). */
  noPrompt?: boolean;
  /** The caller has the user's consent to upload to the configured destination. */
  consent?: boolean;
  /** Name of the voice (one file only). */
  voiceName?: string;
  /** A decodable file longer than 30 s: 'suggested' cuts the suggested window; 'never' refuses it (default when not asking). */
  trim?: 'suggested' | 'never';
  /** Peak-normalise a trimmed export to −1 dBFS. */
  normalize?: boolean;
  /** Wait for each task to end (default true). */
  wait?: boolean;
  signal?: AbortSignal;
}

/** What happened to one file. */
export interface FileOutcome {
  file: string;
  voiceName?: string;
  /** 'refused': broke a rule, nothing was uploaded or sent; 'error': upload or API error; 'skipped': the user said no. */
  status: 'succeed' | 'failed' | 'submitted' | 'processing' | 'refused' | 'error' | 'cancelled' | 'skipped';
  task?: VoiceTask;
  message?: string;
}

/** A file that passed the checks, ready to upload. */
export interface Prepared {
  uri: vscode.Uri;
  displayName: string;
  /** Name of the uploaded file (a trimmed export is ".wav"). */
  uploadName: string;
  /** What is uploaded. A batch empties it (releaseBytes) once the file is uploaded. */
  bytes: Uint8Array;
  contentType: string;
  probe: ProbeResult;
  report?: QualityReport;
  trimmed?: AudioWindow;
}

const RELEASED = new Uint8Array(0);

/**
 * Drops a prepared file's bytes once they are uploaded, so a batch does not keep every file until it ends. Its
 * fingerprint (a hash of those bytes, needed by the create that follows) is taken first.
 */
function releaseBytes(file: Prepared): void {
  sampleFingerprint(file);
  file.bytes = RELEASED;
}

type Checked = { ok: true; file: Prepared } | { ok: false; uri: vscode.Uri; displayName: string; message: string; trimmable: boolean };

const CONTENT_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', mp4: 'video/mp4', mov: 'video/quicktime' };

function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.path;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isCancel(e: unknown): boolean {
  return (isKlingError(e) && e.kind === 'cancelled') || (e instanceof UploadError && e.cancelled);
}

/** A file read, probed and (when possible) decoded; nothing has left the machine. */
export interface Inspected {
  uri: vscode.Uri;
  displayName: string;
  bytes: Uint8Array;
  probe: ProbeResult;
  rules: RuleCheck;
  /** The mono mix when the file could be decoded (wav, mp3 up to MAX_DECODE_SEC), with its channels' levels. */
  audio?: PcmAudio;
  report?: QualityReport;
  /** Why a decodable kind was not decoded: too long (the rules say so with the numbers), or the decoder failed. */
  notDecoded?: string;
}

/** Reads, probes and checks one file, and decodes it when possible. A string is why it cannot even be read. */
export async function inspectFile(uri: vscode.Uri): Promise<Inspected | string> {
  const displayName = baseName(uri);
  let size: number;
  try {
    size = (await vscode.workspace.fs.stat(uri)).size;
  } catch (e) {
    return `${displayName} cannot be read: ${errorText(e)}`;
  }
  if (size > MAX_FILE_BYTES) {
    return `${displayName} is ${formatBytes(size)}; the limit is ${formatBytes(MAX_FILE_BYTES)}. A 5–30 s voice sample is much smaller: export just the speech.`;
  }
  // Read through workspace.fs (remote and virtual workspaces too). Samples are ≤ 50 MB, and the bytes are
  // needed in memory anyway to probe and decode them, so the upload streams from this buffer.
  const bytes = await vscode.workspace.fs.readFile(uri);
  const probed = await probe(bytes, displayName);
  const rules = checkRules(probed);
  let audio: PcmAudio | undefined;
  let notDecoded: string | undefined;
  if (tooLongToDecode(probed)) {
    // Decoding would cost memory in proportion to the length (hundreds of MB for an hour): the probe's facts are
    // reported, and the rules refuse it with its length and the limit.
    notDecoded = `longer than ${MAX_DECODE_SEC / 60} min`;
  } else if (probed.decodable) {
    try {
      audio = await decodeAudio(bytes, probed);
    } catch (e) {
      notDecoded = errorText(e); // the headers were fine; the report just has no measurements
    }
  }
  return { uri, displayName, bytes, probe: probed, rules, audio, report: audio ? analyze(audio) : undefined, notDecoded };
}

/** Why a file cannot be sent as it is, and whether a window could be cut from it; undefined when it can be sent. */
function refusal(i: Omit<Inspected, 'bytes'>): { message: string; trimmable: boolean } | undefined {
  if (i.rules.errors.length) {
    return { message: i.rules.errors.join(' '), trimmable: i.rules.trimmable && i.audio !== undefined };
  }
  if (i.report?.silent) {
    return { message: `${i.displayName} is silent (peak ${i.report.peakDbfs.toFixed(0)} dBFS). Kling needs 5–30 s of one person speaking.`, trimmable: false };
  }
  return undefined;
}

/** The file as it is, when it may be sent as it is. */
function asPrepared(i: Inspected): Checked {
  const refused = refusal(i);
  if (refused) {
    return { ok: false, uri: i.uri, displayName: i.displayName, ...refused };
  }
  return {
    ok: true,
    file: {
      uri: i.uri,
      displayName: i.displayName,
      uploadName: i.displayName,
      bytes: i.bytes,
      contentType: CONTENT_TYPES[i.probe.kind ?? ''] ?? 'application/octet-stream',
      probe: i.probe,
      report: i.report,
    },
  };
}

/** The file as it is, ready to upload, or why it cannot be sent as it is. */
export function preparedAsIs(i: Inspected): Prepared | string {
  const c = asPrepared(i);
  return c.ok ? c.file : c.message;
}

/** Cuts a window of a decoded file and exports it as mono 16-bit WAV (the original file is not changed). */
export async function preparedWindow(i: Pick<Inspected, 'uri' | 'displayName'> & { audio: PcmAudio }, window: AudioWindow, normalize: boolean): Promise<Prepared> {
  const wav = exportWindowWav(i.audio, window, normalize ? { normalizePeakDbfs: -1 } : {});
  const stem = i.displayName.replace(/\.[^.]+$/, '');
  const trimmedProbe = await probe(wav, `${stem}.wav`);
  const report = analyze((await decodeAudio(wav, trimmedProbe)) ?? i.audio);
  return {
    uri: i.uri,
    displayName: i.displayName,
    uploadName: `${stem}.wav`,
    bytes: wav,
    contentType: 'audio/wav',
    probe: { ...trimmedProbe, fileName: i.displayName },
    report,
    trimmed: window,
  };
}

/** Reads, probes and checks one file; decodes it when possible for the quality report and trimming. */
async function checkFile(uri: vscode.Uri, trim: boolean, normalize: boolean): Promise<Checked> {
  const i = await inspectFile(uri);
  if (typeof i === 'string') {
    return { ok: false, uri, displayName: baseName(uri), message: i, trimmable: false };
  }
  const asIs = asPrepared(i);
  if (asIs.ok || !(asIs.trimmable && trim && i.audio)) {
    return asIs;
  }
  const window = suggestWindow(i.audio);
  if (!window) {
    return asIs;
  }
  return { ok: true, file: await preparedWindow({ ...i, audio: i.audio }, window, normalize) };
}

/**
 * Checks files one after another: each is read and decoded alone, and only what a checked file needs later (its
 * bytes, or the exported window) is kept, so a batch never holds several decoded files at once.
 */
async function checkFiles(uris: readonly vscode.Uri[], trim: boolean, normalize: boolean): Promise<Checked[]> {
  const out: Checked[] = [];
  for (const uri of uris) {
    out.push(await checkFile(uri, trim, normalize));
  }
  return out;
}

/** The measurements of a report, for a webview. */
export function qualitySummary(r: QualityReport): QualitySummary {
  return {
    peakDbfs: r.peakDbfs,
    rmsDbfs: r.rmsDbfs,
    clippingShare: r.clippingShare,
    silenceShare: r.silenceShare,
    noiseFloorDbfs: r.noiseFloorDbfs,
    snrDb: r.snrDb,
  };
}

/** What the Create Voice form (and the trimmer) shows of an inspected file. */
export function fileView(i: Omit<Inspected, 'bytes'> | string, fileName: string): FileView {
  if (typeof i === 'string') {
    return { fileName, checking: false, usable: false, warnings: [], problems: [i], trimmable: false };
  }
  const refused = refusal(i);
  const p = i.probe;
  return {
    fileName: i.displayName,
    checking: false,
    usable: !refused,
    format: [p.kind?.toUpperCase(), p.codec].filter(Boolean).join(' ') || undefined,
    durationSec: p.durationSec,
    channels: i.report?.channels ?? p.channels,
    sampleRate: p.sampleRate,
    sizeBytes: p.sizeBytes,
    quality: i.report ? qualitySummary(i.report) : undefined,
    warnings: [...i.rules.warnings, ...(i.report?.warnings ?? [])],
    problems: refused ? [refused.message] : [],
    // Too long but decodable: the trimmer cuts a window. Decodable and usable: it can still pick a better one.
    trimmable: i.audio !== undefined && (!refused || refused.trimmable),
  };
}

function toUri(file: string | vscode.Uri): vscode.Uri {
  if (typeof file !== 'string') {
    return file;
  }
  // "file:///…", "vscode-remote://…" etc. are URIs; anything else is a path on this machine.
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(file) ? vscode.Uri.parse(file, true) : vscode.Uri.file(file);
}

const fingerprints = new WeakMap<Prepared, string>();

/**
 * What is sent of a file: the size and a hash of the bytes (the exported window for a trimmed file) and the window.
 * With the file's URI it tells a retry of the same sample (to be looked up after an unconfirmed create, whatever
 * the new upload's URL) from another take or window of that file (a new voice).
 */
function sampleFingerprint(file: Prepared): string {
  let f = fingerprints.get(file);
  if (f === undefined) {
    const hash = createHash('sha256').update(file.bytes).digest('hex').slice(0, 32);
    const window = file.trimmed ? `${file.trimmed.startSec.toFixed(3)}-${file.trimmed.endSec.toFixed(3)}` : 'whole';
    f = `${file.bytes.length}:${hash}:${window}`;
    fingerprints.set(file, f);
  }
  return f;
}

/** Does the whole job for files that passed the checks: upload, create, follow, clean up. */
class Runner {
  constructor(
    private readonly _deps: FromFileDeps,
    private readonly _provider: UploadProvider,
  ) {}

  /** Uploads one file. */
  async upload(file: Prepared, signal: AbortSignal, onProgress?: (pct: number) => void): Promise<UploadResult> {
    if (file.bytes === RELEASED) {
      throw new Error(`${file.displayName} was uploaded already; its bytes are no longer kept.`);
    }
    const started = Date.now();
    const result = await this._provider.upload({
      source: { kind: 'bytes', bytes: file.bytes },
      fileName: file.uploadName,
      contentType: file.contentType,
      signal,
      onProgress: (p) => onProgress?.(p.totalBytes ? Math.round((p.sentBytes / p.totalBytes) * 100) : 100),
    });
    this._deps.log.info(`upload: ${file.displayName} (${formatBytes(file.bytes.length)}) → ${result.displayUrl} in ${Date.now() - started} ms`);
    return result;
  }

  /**
   * Creates the voice from an uploaded file, following it to the end unless wait is false. With
   * `klingVoice.upload.s3.deleteAfterTask` the uploaded object is deleted once Kling no longer needs it (see
   * `_release`). `keepOn1303`: the batch creates again with the same upload after Kling's "too many tasks running"
   * (1303), so the object is kept then; the batch releases it with `discard` when it gives up.
   */
  async create(
    input: string | Omit<CreateVoiceInput, 'voiceUrl' | 'videoId'>,
    uploaded: UploadResult,
    /** The local file uploaded: the history records it as the task's source (not the upload's URL). */
    file: Prepared,
    options: { signal: AbortSignal; wait: boolean; onUpdate?: (t: VoiceTask) => void; onSubmitted?: (t: VoiceTask) => void; keepOn1303?: boolean },
  ): Promise<VoiceTask> {
    const deleteAfter = this._deletes(uploaded);
    const seen: { taskId?: string; externalTaskId?: string } = {};
    let task: VoiceTask | undefined;
    let failure: { error: unknown } | undefined;
    try {
      if (options.signal.aborted) {
        // Cancelled before the create was sent (e.g. a batch job about to try again after a 1303).
        throw new KlingError({ kind: 'cancelled', message: 'Cancelled.' });
      }
      const fields = typeof input === 'string' ? { voiceName: input } : input;
      const onSubmitted = options.onSubmitted ?? options.onUpdate;
      task = await this._deps.service.createVoice(
        { ...fields, voiceUrl: uploaded.url },
        {
          signal: options.signal,
          wait: options.wait,
          onExternalId: (id) => (seen.externalTaskId = id),
          onSubmitted: (t) => {
            seen.taskId = t.taskId;
            onSubmitted?.(t);
          },
          onUpdate: options.onUpdate,
          source: { kind: 'file', fileName: file.displayName, uri: file.uri.toString() },
          sampleFingerprint: sampleFingerprint(file),
        },
      );
      return task;
    } catch (e) {
      failure = { error: e };
      throw e;
    } finally {
      if (deleteAfter) {
        await this._release(uploaded, failure ? { ...failure, ...seen, keepOn1303: options.keepOn1303 === true } : { task: task as VoiceTask });
      }
    }
  }

  /** Deletes an upload no task uses (the batch gave up after repeated 1303 refusals), when the settings say so. */
  async discard(uploaded: UploadResult): Promise<void> {
    if (this._deletes(uploaded)) {
      await this._cleanup(uploaded);
    }
  }

  private _deletes(uploaded: UploadResult): boolean {
    return readUploadSettings().s3.deleteAfterTask && uploaded.cleanup !== undefined;
  }

  /**
   * Deletes an uploaded object when Kling no longer needs it, and never while it still may: Kling downloads the
   * sample when it processes the task, which can be after a cancel, a task timeout or a create whose answer was lost.
   * - The task ended, or no task can exist (Kling refused the create, or it was never sent): at once.
   * - A task is known but has not ended (wait: false, cancelled while following it, task timeout): in the
   *   background, once the task has ended.
   * - Whether a task exists is unknown (no answer, cancelled before the answer): it is looked up by its
   *   external_task_id in the background and then handled as above; if it cannot be found the object is kept
   *   (its presigned link expires anyway).
   */
  private async _release(
    uploaded: UploadResult,
    outcome: { task: VoiceTask } | { error: unknown; taskId?: string; externalTaskId?: string; keepOn1303: boolean },
  ): Promise<void> {
    if ('task' in outcome) {
      if (isTerminal(outcome.task.status)) {
        await this._cleanup(uploaded);
      } else {
        this._deleteWhenEnded(uploaded, outcome.task.taskId);
      }
      return;
    }
    const e = outcome.error;
    if (outcome.keepOn1303 && isConcurrencyLimit(e)) {
      return; // refused, and the batch creates again with this upload
    }
    const taskId = outcome.taskId ?? (isKlingError(e) ? e.taskId : undefined);
    if (taskId) {
      this._deleteWhenEnded(uploaded, taskId);
      return;
    }
    // The service reports the external id before the create is sent: without one, nothing was sent.
    const externalTaskId = outcome.externalTaskId ?? (isKlingError(e) ? e.externalTaskId : undefined);
    if (!externalTaskId || !mayHaveCreated(e)) {
      await this._cleanup(uploaded);
      return;
    }
    void this._lookUpThenRelease(uploaded, externalTaskId);
  }

  private _deleteWhenEnded(uploaded: UploadResult, taskId: string): void {
    this._deps.log.info(`upload: ${uploaded.displayUrl} is deleted once task ${taskId} has ended (Kling may still download it)`);
    void this._deps.service.waitForTask(taskId).then(
      () => this._cleanup(uploaded),
      (e: unknown) => this._keep(uploaded, `task ${taskId} could not be followed to its end (${errorText(e)})`),
    );
  }

  private async _lookUpThenRelease(uploaded: UploadResult, externalTaskId: string): Promise<void> {
    let found: VoiceTask | undefined;
    try {
      found = await this._deps.service.findTaskByExternalId(externalTaskId);
    } catch (e) {
      this._keep(uploaded, `whether Kling got the create (external_task_id ${externalTaskId}) cannot be told (${errorText(e)})`);
      return;
    }
    if (!found) {
      this._keep(uploaded, `no task with external_task_id ${externalTaskId} was found, but Kling may still create it`);
    } else if (isTerminal(found.status)) {
      await this._cleanup(uploaded);
    } else {
      this._deleteWhenEnded(uploaded, found.taskId);
    }
  }

  private _keep(uploaded: UploadResult, why: string): void {
    this._deps.log.info(`upload: kept ${uploaded.displayUrl}: ${why}, and Kling may still download it (its presigned link expires anyway).`);
  }

  private async _cleanup(uploaded: UploadResult): Promise<void> {
    try {
      await uploaded.cleanup?.();
    } catch (e) {
      this._deps.log.warn(`upload: could not delete ${uploaded.displayUrl}: ${errorText(e)}`);
    }
  }
}

async function openReport(file: Prepared): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: reportMarkdown(file.probe, file.report, file.trimmed) });
  await vscode.commands.executeCommand(VSCODE_COMMANDS.markdownPreview, doc.uri).then(undefined, () => vscode.window.showTextDocument(doc));
}

/** Explains a missing provider and offers the two ways forward. */
async function explainNoProvider(): Promise<void> {
  const configure = 'Configure Upload';
  const paste = 'Paste a URL Instead';
  const choice = await vscode.window.showErrorMessage(
    'Kling downloads voice samples from a URL, and no upload provider is set. Set klingVoice.upload.provider to "s3" (your own bucket) or "http" (an upload endpoint), or paste a public URL of the file.',
    configure,
    paste,
  );
  if (choice === configure) {
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.upload);
  } else if (choice === paste) {
    await vscode.commands.executeCommand(COMMANDS.createVoice);
  }
}

async function showUploadError(e: UploadError, log: vscode.LogOutputChannel, prefix: string): Promise<void> {
  log.error(`${prefix}: ${e.message}`);
  const settings = 'Open Upload Settings';
  const creds = 'Set Upload Credentials';
  const choice = await vscode.window.showErrorMessage(`${prefix}: ${e.message}`, settings, creds, 'Show Log');
  if (choice === settings) {
    await vscode.commands.executeCommand(VSCODE_COMMANDS.openSettings, SETTINGS.upload);
  } else if (choice === creds) {
    await vscode.commands.executeCommand(COMMANDS.setUploadCredentials);
  } else if (choice === 'Show Log') {
    log.show(true);
  }
}

function takenNames(service: VoiceService): string[] {
  return service.history.all().map((e) => e.voiceName);
}

/**
 * Creates one voice from a local file without any UI but the consent prompt (skipped with `consent: true`
 * or a consented destination): the core of the exported API's `createVoice({ file })`.
 * Rejects with a KlingError of kind 'invalidInput' when the file breaks the rules (nothing is uploaded or
 * sent), an UploadError when the upload fails, and the usual KlingErrors from the API.
 */
const NO_KEY_MESSAGE = "No API key is set, so nothing was uploaded. Run 'Kling Voice: Set API Key' first.";

/** Refuses before any upload when no key is stored: a sample must not leave the machine for a task that cannot start. */
async function requireApiKey(deps: FromFileDeps): Promise<void> {
  if (!(await deps.service.hasApiKey())) {
    throw new KlingError({ kind: 'noApiKey', message: NO_KEY_MESSAGE });
  }
}

/** Interactive form of requireApiKey: offers to set the key; true when one is stored afterwards. */
async function ensureApiKeyInteractively(deps: FromFileDeps): Promise<boolean> {
  if (await deps.service.hasApiKey()) {
    return true;
  }
  const choice = await vscode.window.showWarningMessage('Set your Kling API key before creating a voice: nothing has been uploaded.', 'Set API Key');
  return choice === 'Set API Key' && (await vscode.commands.executeCommand<boolean>(COMMANDS.setApiKey)) === true;
}

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
      message: checked.message + (checked.trimmable ? " Pass trim: 'suggested' to send the suggested 5–30 s window." : ''),
    });
  }
  const voiceName = (input.voiceName ?? uniqueVoiceNames([checked.file.displayName], takenNames(deps.service))[0]).trim();
  const nameProblem = validateVoiceName(voiceName);
  if (nameProblem) {
    throw new KlingError({ kind: 'invalidInput', message: nameProblem });
  }
  await requireApiKey(deps);
  const provider = await createUploadProvider(deps.context.secrets, deps.log);
  if (!provider) {
    throw new UploadError('No upload provider is set: set klingVoice.upload.provider to "s3" or "http", or pass a public URL as voiceUrl.');
  }
  const consent = new UploadConsent(deps.context.globalState);
  if (!(await consent.ensure(provider, 1, options.consent))) {
    throw new KlingError({ kind: 'cancelled', message: `Upload to ${provider.destination} not allowed; nothing was sent.` });
  }
  logReport(deps.log, checked.file);
  const runner = new Runner(deps, provider);
  const signal = options.signal ?? new AbortController().signal;
  const uploaded = await runner.upload(checked.file, signal);
  return runner.create(voiceName, uploaded, checked.file, { signal, wait: options.wait !== false });
}

/** The configured upload provider's name (setting `klingVoice.upload.provider`). */
export function uploadProviderName(): 'none' | 's3' | 'http' {
  return readUploadSettings().provider;
}

export interface UploadAndCreateHooks {
  signal: AbortSignal;
  /** The first upload to this destination: the modal consent question is about to show (nothing is sent yet). */
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
    throw new UploadError('No upload provider is set: set klingVoice.upload.provider to "s3" or "http" in the settings, or paste a public URL instead.');
  }
  const consent = new UploadConsent(deps.context.globalState);
  if (!consent.has(provider.destination)) {
    hooks.onConsentPrompt?.();
  }
  if (!(await consent.ensure(provider, 1))) {
    throw new KlingError({ kind: 'cancelled', message: `Upload to ${provider.destination} not allowed; nothing was sent.` });
  }
  logReport(deps.log, file);
  const runner = new Runner(deps, provider);
  let uploaded: UploadResult;
  hooks.onUploadStart?.();
  try {
    uploaded = await runner.upload(file, hooks.signal, hooks.onUploadProgress);
  } catch (e) {
    if (e instanceof UploadError && e.cancelled) {
      throw new KlingError({ kind: 'cancelled', message: 'Upload cancelled; nothing was sent to Kling.' });
    }
    throw e;
  }
  hooks.onUploaded?.();
  return runner.create(input, uploaded, file, { signal: hooks.signal, wait: true, onUpdate: hooks.onUpdate, onSubmitted: hooks.onSubmitted });
}

function logReport(log: vscode.LogOutputChannel, file: Prepared): void {
  log.info(`sample ${file.displayName}: ${summaryLine(file.probe, file.report)}${file.trimmed ? ` (window ${file.trimmed.startSec.toFixed(2)}–${file.trimmed.endSec.toFixed(2)} s)` : ''}`);
  for (const w of file.report?.warnings ?? []) {
    log.warn(`sample ${file.displayName}: ${w}`);
  }
}

/** Collects the target files from the ways VS Code and callers invoke the command. */
function filesFromArgs(first: unknown, second: unknown): { uris: vscode.Uri[]; options: FromFileOptions } | undefined {
  const isOptions = (v: unknown): v is FromFileOptions & { files?: (string | vscode.Uri)[] } =>
    typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && !Array.isArray(v) && !('groupId' in v);
  if (isOptions(first) && Array.isArray(first.files)) {
    return { uris: first.files.map(toUri), options: first };
  }
  if (first instanceof vscode.Uri) {
    // Explorer: (clicked, all selected). Editor title context: (uri, { groupId }).
    const all = Array.isArray(second) && second.every((u) => u instanceof vscode.Uri) && second.length > 0 ? (second as vscode.Uri[]) : [first];
    return { uris: all, options: {} };
  }
  return undefined;
}

/** The interactive command and its programmatic form. Returns one outcome per file. */
async function runCommand(deps: FromFileDeps, first?: unknown, second?: unknown, third?: unknown): Promise<FileOutcome[]> {
  const { log } = deps;
  let target = filesFromArgs(first, second);
  if (!target) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Create Kling Voice from File',
      canSelectMany: true,
      openLabel: 'Create Voice',
      filters: { 'Voice samples': ['mp3', 'wav', 'mp4', 'mov'] },
    });
    if (!picked?.length) {
      return [];
    }
    target = { uris: picked, options: {} };
  }
  const options: FromFileOptions = { ...target.options, ...(typeof third === 'object' && third !== null ? (third as FromFileOptions) : {}) };
  const ask = options.noPrompt !== true;
  const uris = target.uris;

  // 1. Look before anything leaves the machine: no upload, no API request for a file that breaks the rules.
  let trim = options.trim === 'suggested';
  let checks = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Kling Voice: checking samples' },
    () => checkFiles(uris, trim, options.normalize === true),
  );
  const trimmable = checks.filter((c): c is Extract<Checked, { ok: false }> => !c.ok && c.trimmable);
  if (ask && !trim && trimmable.length > 0) {
    const useWindow = 'Use Suggested Window';
    const openTrimmer = 'Open Trimmer';
    const what = uris.length === 1 ? (checks[0].ok ? '' : checks[0].message) : `${trimmable.map((c) => c.displayName).join(', ')} ${trimmable.length === 1 ? 'is' : 'are'} longer than 30 s.`;
    const choice = await vscode.window.showWarningMessage(
      what,
      {
        modal: true,
        detail:
          'The suggested window is the 5–30 s stretch with the most speech and the least silence and clipping. It is sent as a mono 16-bit WAV; the original file is not changed.' +
          (uris.length === 1 ? ' Open Trimmer shows the waveform and the quality report, and lets you pick the window yourself.' : ''),
      },
      ...(uris.length === 1 ? [useWindow, openTrimmer] : [useWindow]),
    );
    if (choice === openTrimmer) {
      await vscode.commands.executeCommand(COMMANDS.openTrimmer, uris[0]);
      return checks.map((c) => ({ file: (c.ok ? c.file.uri : c.uri).toString(), status: 'skipped', message: 'Opened in the trimmer.' }));
    }
    if (choice === useWindow) {
      trim = true;
      const again = await checkFiles(trimmable.map((c) => c.uri), true, options.normalize === true);
      checks = checks.map((c) => (!c.ok && c.trimmable ? (again.shift() as Checked) : c));
    }
  }
  const outcomes: FileOutcome[] = checks.map((c) =>
    c.ok ? { file: c.file.uri.toString(), status: 'skipped' } : { file: c.uri.toString(), status: 'refused', message: c.message },
  );
  for (const c of checks) {
    if (!c.ok) {
      log.warn(`refused ${c.displayName}: ${c.message}`);
    }
  }
  const ready = checks.flatMap((c) => (c.ok ? [c.file] : []));
  if (ready.length === 0) {
    const refused = checks.filter((c): c is Extract<Checked, { ok: false }> => !c.ok);
    if (refused.length) {
      void vscode.window.showErrorMessage(
        refused.length === 1 ? refused[0].message : `None of the ${refused.length} files can be used: ${refused.map((r) => r.message).join(' ')}`,
        'Show Log',
      ).then((c) => c && log.show(true));
    }
    return outcomes;
  }
  ready.forEach((f) => logReport(log, f));

  // 2. A key, then where the files go.
  if (ask ? !(await ensureApiKeyInteractively(deps)) : !(await deps.service.hasApiKey())) {
    return outcomes.map((o) => (o.status === 'skipped' ? { ...o, status: 'error', message: NO_KEY_MESSAGE } : o));
  }
  let provider: UploadProvider | undefined;
  try {
    provider = await createUploadProvider(deps.context.secrets, log);
  } catch (e) {
    if (e instanceof UploadError) {
      void showUploadError(e, log, 'Create voice from file');
      return outcomes.map((o) => (o.status === 'skipped' ? { ...o, status: 'error', message: e.message } : o));
    }
    throw e;
  }
  if (!provider) {
    void explainNoProvider();
    return outcomes.map((o) => (o.status === 'skipped' ? { ...o, status: 'error', message: 'No upload provider is set (klingVoice.upload.provider).' } : o));
  }

  // 3. Names, report, consent.
  const names = new Map<Prepared, string>();
  const derived = uniqueVoiceNames(ready.map((f) => f.displayName), takenNames(deps.service));
  ready.forEach((f, i) => names.set(f, derived[i]));
  if (ready.length === 1 && options.voiceName !== undefined) {
    names.set(ready[0], options.voiceName.trim());
  }
  if (ask && ready.length === 1 && uris.length === 1) {
    const file = ready[0];
    const name = options.voiceName ?? (await askName(file, names.get(file) ?? voiceNameFromFile(file.displayName)));
    if (name === undefined) {
      return outcomes;
    }
    names.set(file, name.trim());
    if (file.report?.warnings.length && !(await confirmWarnings(file))) {
      return outcomes;
    }
  } else if (ask && !(await confirmBatch(ready, checks.length - ready.length, names))) {
    return outcomes;
  }
  for (const f of ready) {
    const problem = validateVoiceName(names.get(f));
    if (problem) {
      const i = checks.findIndex((c) => c.ok && c.file === f);
      outcomes[i] = { file: f.uri.toString(), status: 'refused', message: `${f.displayName}: ${problem}` };
    }
  }
  const consent = new UploadConsent(deps.context.globalState);
  if (!(await consent.ensure(provider, ready.length, options.consent))) {
    log.info(`upload to ${provider.destination} not allowed; nothing was sent`);
    return outcomes;
  }

  // 4. Upload and create, a few at a time.
  const runner = new Runner(deps, provider);
  const jobs = ready
    .map((file) => ({ file, index: checks.findIndex((c) => c.ok && c.file === file) }))
    .filter((j) => outcomes[j.index].status === 'skipped');
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: jobs.length === 1 ? `Kling Voice: ${jobs[0].file.displayName}` : `Kling Voice: ${jobs.length} voices`,
      cancellable: true,
    },
    async (progress, token) => {
      // Cancelled from the notification or by the caller's signal.
      const signals = options.signal ? [signalFor(token), options.signal] : [signalFor(token)];
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      for (const s of signals) {
        if (s.aborted) {
          controller.abort();
        }
        s.addEventListener('abort', onAbort, { once: true });
      }
      const status = new Map<number, string>();
      const uploads = new Map<number, UploadResult>();
      const discarding: Promise<void>[] = [];
      const report = () => {
        const done = jobs.filter((j) => !['skipped'].includes(outcomes[j.index].status)).length;
        const lines = [...status.values()].slice(0, 3).join('; ');
        progress.report({ message: jobs.length === 1 ? lines : `${done} of ${jobs.length} done. ${lines}` });
      };
      await runPool(
        jobs,
        readConcurrency(),
        async (job) => {
          const { file, index } = job;
          const name = names.get(file) as string;
          try {
            let uploaded = uploads.get(index); // kept when a create is retried after a 1303
            if (!uploaded) {
              status.set(index, `${file.displayName}: uploading`);
              report();
              uploaded = await runner.upload(file, controller.signal, (pct) => {
                status.set(index, `${file.displayName}: uploading ${pct} %`);
                report();
              });
              uploads.set(index, uploaded);
              // The batch's lists still refer to this file until the batch ends: let its bytes go now. A create
              // retried after a 1303 reuses the upload, so they are never needed again.
              releaseBytes(file);
            }
            status.set(index, `${file.displayName}: creating "${name}"`);
            report();
            const task = await runner.create(name, uploaded, file, {
              signal: controller.signal,
              wait: options.wait !== false,
              keepOn1303: true,
              onUpdate: (t) => {
                status.set(index, `${name}: ${statusLabel(t.status)}`);
                report();
              },
            });
            outcomes[index] = { file: file.uri.toString(), voiceName: name, status: task.status, task, message: task.statusMessage };
          } catch (e) {
            if (isConcurrencyLimit(e)) {
              throw e; // runPool backs off and runs the job again
            }
            outcomes[index] = { file: file.uri.toString(), voiceName: name, status: isCancel(e) ? 'cancelled' : 'error', message: errorText(e) };
            if (!isCancel(e)) {
              log.error(`${file.displayName}: ${errorText(e)}`);
            }
          } finally {
            status.delete(index);
            report();
          }
        },
        controller.signal,
        log,
        (job, e) => {
          outcomes[job.index] = { file: job.file.uri.toString(), voiceName: names.get(job.file), status: 'error', message: errorText(e) };
          // Refused (1303) every time, or cancelled while waiting to try again: no task uses the kept upload.
          const kept = uploads.get(job.index);
          if (kept) {
            discarding.push(runner.discard(kept));
          }
        },
      );
      await Promise.all(discarding);
      signals.forEach((s) => s.removeEventListener('abort', onAbort));
    },
  );

  // 5. Tell the user.
  void summarize(deps, outcomes, ask);
  return outcomes;
}

async function askName(file: Prepared, suggested: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Create Kling Voice from ${file.displayName}`,
    prompt: `${summaryLine(file.probe, file.report)}${file.trimmed ? ` · sending ${file.trimmed.startSec.toFixed(1)}–${file.trimmed.endSec.toFixed(1)} s` : ''}. Name the voice (1–20 characters).`,
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (v) => validateVoiceName(v),
  });
}

/** A modal with the quality warnings; "Show Report" opens the full report and asks again. */
async function confirmWarnings(file: Prepared): Promise<boolean> {
  const go = 'Upload and Create';
  const show = 'Show Report';
  for (;;) {
    const choice = await vscode.window.showWarningMessage(
      `${file.displayName}: ${file.report?.warnings.length} thing(s) to check before sending`,
      { modal: true, detail: `${file.report?.warnings.map((w) => `• ${w}`).join('\n')}\n\n${summaryLine(file.probe, file.report)}` },
      go,
      show,
    );
    if (choice === show) {
      await openReport(file);
      continue;
    }
    return choice === go;
  }
}

async function confirmBatch(ready: Prepared[], refused: number, names: Map<Prepared, string>): Promise<boolean> {
  const go = ready.length === 1 ? 'Create 1 Voice' : `Create ${ready.length} Voices`;
  const lines = ready.map((f) => `• ${names.get(f)} ← ${f.displayName} (${summaryLine(f.probe, f.report)})${f.report?.warnings.length ? `\n   ⚠ ${f.report.warnings.join('\n   ⚠ ')}` : ''}`);
  const choice = await vscode.window.showInformationMessage(
    `Create ${ready.length} voice${ready.length > 1 ? 's' : ''} from files?`,
    { modal: true, detail: `${lines.join('\n')}${refused ? `\n\n${refused} file(s) cannot be used (see the log).` : ''}` },
    go,
  );
  return choice === go;
}

function readConcurrency(): number {
  const v = vscode.workspace.getConfiguration(SETTINGS.batch).get<number>('concurrency');
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(10, Math.max(1, Math.floor(v))) : 2;
}

async function summarize(deps: FromFileDeps, outcomes: FileOutcome[], ask: boolean): Promise<void> {
  const count = (s: FileOutcome['status'][]) => outcomes.filter((o) => s.includes(o.status)).length;
  const ok = count(['succeed']);
  const running = count(['submitted', 'processing']);
  const failed = count(['failed', 'error']);
  const refused = count(['refused']);
  const cancelled = count(['cancelled']);
  for (const o of outcomes) {
    deps.log.info(`from file: ${o.file} → ${o.status}${o.voiceName ? ` "${o.voiceName}"` : ''}${o.task ? ` task ${o.task.taskId}` : ''}${o.message ? `: ${o.message}` : ''}`);
  }
  if (outcomes.length === 1) {
    const o = outcomes[0];
    if (o.status === 'succeed') {
      const id = o.task?.voices[0]?.voiceId ?? '';
      const copy = 'Copy Voice ID';
      const choice = await vscode.window.showInformationMessage(`Voice "${o.voiceName}" created (voice id ${id}).`, copy);
      if (choice === copy) {
        await vscode.env.clipboard.writeText(id);
      }
    } else if (o.status === 'failed') {
      void vscode.window.showErrorMessage(`Kling could not create the voice "${o.voiceName}": ${o.message ?? 'the task failed'}.`, 'Show Log').then((c) => c && deps.log.show(true));
    } else if (o.status === 'error' && o.message) {
      void showError(new Error(o.message), deps.log, 'Create voice from file');
    } else if (o.status === 'submitted' || o.status === 'processing') {
      void vscode.window.showInformationMessage(`Voice "${o.voiceName}" submitted; it is ${statusLabel(o.status)}.`);
    }
    return;
  }
  const parts = [`${ok} of ${outcomes.length} voices created`];
  if (running) {
    parts.push(`${running} still running`);
  }
  if (failed) {
    parts.push(`${failed} failed`);
  }
  if (refused) {
    parts.push(`${refused} refused`);
  }
  if (cancelled) {
    parts.push(`${cancelled} cancelled`);
  }
  const problems = outcomes.filter((o) => ['failed', 'error', 'refused'].includes(o.status));
  const text = `${parts.join(', ')}.${problems.length ? ` ${problems.map((p) => `${decodeURIComponent(p.file.split('/').pop() ?? p.file)}: ${p.message ?? p.status}`).join(' ')}` : ''}`;
  const show = problems.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  if (ask || problems.length) {
    void show(text, 'Show Log').then((c) => c && deps.log.show(true));
  }
}

/** Registers the from-file and upload-credential commands. */
export function registerFromFileCommands(deps: FromFileDeps): vscode.Disposable {
  const consent = new UploadConsent(deps.context.globalState);
  return vscode.Disposable.from(
    vscode.commands.registerCommand(COMMANDS.createVoiceFromFile, async (first?: unknown, second?: unknown, third?: unknown) => {
      try {
        return await runCommand(deps, first, second, third);
      } catch (e) {
        if (e instanceof UploadError) {
          void showUploadError(e, deps.log, 'Create voice from file');
        } else {
          void showError(e, deps.log, 'Create voice from file');
        }
        throw e;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.setUploadCredentials, async (args?: unknown) => {
      const stored = await setUploadCredentials(deps.context.secrets, typeof args === 'object' && args !== null ? args : undefined);
      if (stored) {
        deps.log.info('upload credentials stored');
        if (args === undefined) {
          void vscode.window.showInformationMessage('Upload credentials stored in VS Code secret storage.');
        }
      }
      return stored;
    }),
    vscode.commands.registerCommand(COMMANDS.clearUploadCredentials, async () => {
      await clearUploadCredentials(deps.context.secrets, consent);
      deps.log.info('upload credentials and upload consents cleared');
      void vscode.window.showInformationMessage('Upload credentials and remembered upload consents cleared.');
      return true;
    }),
  );
}
