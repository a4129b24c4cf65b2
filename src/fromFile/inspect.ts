// Looking at a local file before anything leaves the machine: read, probe, check the rules, decode, measure, cut a
// window. The work runs in the audio worker (src/audioWorker): the extension host's thread only sends the file's
// path and gets the facts back. The result is what the form, the trimmer and the command show, and what the
// pipeline uploads (streamed from disk).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import {
  AudioWindow,
  MAX_FILE_BYTES,
  ProbeResult,
  QualityReport,
  formatBytes,
  RuleCheck,
  tooLargeMessage,
  type WindowSuggestion,
} from '../audio';
import { formatNumber } from '../shared/format';
import { AudioJobError, audioWorker } from '../audioWorker/client';
import type { AudioSource, DecodedFacts, ExportedWindow, InspectResult } from '../audioWorker/protocol';
import { errorText } from '../kling';
import type { FileView, QualitySummary } from '../shared/protocol/createForm';
import type { ConsentSample } from '../shared/consent';
import type { UploadSource } from '../upload';

/** A file that passed the checks, ready to upload. */
export interface Prepared {
  uri: vscode.Uri;
  displayName: string;
  /** Name of the uploaded file (a trimmed export is ".wav"). */
  uploadName: string;
  /**
   * What is uploaded: the file on disk (streamed from it), or the exported window's bytes (a few MB at most). A
   * batch empties the bytes (releaseBytes) once they are uploaded.
   */
  source: UploadSource;
  sizeBytes: number;
  /** The file's size and modification time when it was checked: a file changed since then is not uploaded. */
  checked?: { size: number; mtime: number };
  /** SHA-256 (hex) of what was uploaded, from the upload's own pass over the bytes. */
  sha256?: string;
  contentType: string;
  probe: ProbeResult;
  report?: QualityReport;
  trimmed?: AudioWindow;
}

export const RELEASED = new Uint8Array(0);

/**
 * Drops a prepared file's bytes once they are uploaded, so a batch does not keep every file until it ends. Its
 * fingerprint (a hash of those bytes, needed by the create that follows) is taken first.
 */
export function releaseBytes(file: Prepared): void {
  sampleFingerprint(file);
  if (file.source.kind === 'bytes') {
    file.source = { kind: 'bytes', bytes: RELEASED };
  }
}

/** True once releaseBytes dropped what was to be uploaded. */
export function isReleased(file: Prepared): boolean {
  return file.source.kind === 'bytes' && file.source.bytes === RELEASED;
}

/** A file streamed from disk must still be the one that was checked (same size and modification time). */
export async function unchangedSinceChecked(file: Prepared): Promise<void> {
  if (file.source.kind !== 'file' || !file.checked) {
    return;
  }
  const now = await fs.promises.stat(file.source.path).catch(() => undefined);
  if (!now || now.size !== file.checked.size || Math.abs(now.mtimeMs - file.checked.mtime) > 1) {
    throw new Error(l10n.t('{0} changed or moved after it was checked. Choose it again.', file.displayName));
  }
}

export type Checked =
  | { ok: true; file: Prepared }
  | { ok: false; uri: vscode.Uri; displayName: string; message: string; trimmable: boolean };

const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
};

export function baseName(uri: vscode.Uri): string {
  return uri.path.split('/').pop() || uri.path;
}

/**
 * The decoded audio, as the host knows it: its facts; with `keep`, its id in the worker (which decodes windows again
 * from the file), waveform and suggestion.
 */
export interface DecodedAudio extends DecodedFacts {
  id?: string;
  /** The file's size when it was checked: an export's time limit scales with it, as the check's did. */
  fileBytes?: number;
  envelope?: number[];
  suggested?: WindowSuggestion;
}

/** A file read, probed and (when possible) decoded; nothing has left the machine. */
export interface Inspected {
  uri: vscode.Uri;
  displayName: string;
  /** Where the file is uploaded from as it is. */
  source: UploadSource;
  checked: { size: number; mtime: number };
  probe: ProbeResult;
  rules: RuleCheck;
  /** Set when the file could be decoded (wav, mp3 up to MAX_DECODE_SEC). */
  audio?: DecodedAudio;
  report?: QualityReport;
  /** Why a decodable kind was not decoded: too long (the rules say so with the numbers), or the decoder failed. */
  notDecoded?: string;
  /** With `trim`: the suggested window, exported. */
  trimmed?: ExportedWindow & { window: AudioWindow };
}

export interface InspectOptions {
  /** Keep the file in the worker for the trimmer (`audio.id`), with its waveform and suggested window. */
  keep?: boolean;
  /** Export the suggested window of a file that is only too long. */
  trim?: { normalize: boolean };
  /** Cancels the check: the worker doing it is terminated. */
  signal?: AbortSignal;
}

/** What a check that the worker had to stop means for the user: the file is not one we can read. */
function workerRefusal(displayName: string, size: number, e: AudioJobError): string {
  if (e.reason === 'timeout') {
    return l10n.t(
      '{0} is not a readable audio file: checking it {1}, which a real recording of {2} never does. Export it again as WAV or MP3.',
      displayName,
      e.message,
      formatBytes(size),
    );
  }
  if (e.reason === 'crashed') {
    return l10n.t(
      '{0} is not a readable audio file: checking it needed more memory than a real recording does ({1}). Export it again as WAV or MP3.',
      displayName,
      e.message,
    );
  }
  return l10n.t('{0} cannot be checked: {1}', displayName, e.message);
}

/** The worker's source for a file: its path on this machine, or its bytes (virtual workspaces). */
async function sourceOf(uri: vscode.Uri): Promise<{ audio: AudioSource; upload: UploadSource }> {
  if (uri.scheme === 'file') {
    return { audio: { path: uri.fsPath }, upload: { kind: 'file', path: uri.fsPath } };
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  return { audio: { bytes }, upload: { kind: 'bytes', bytes } }; // cloned to the worker, kept here for the upload
}

/**
 * Reads, probes and checks one file, and decodes it when possible, in the audio worker. A string is why it cannot
 * be read (also a file the worker gave up on: too slow or too big to be real audio). Rejects with an
 * AudioJobError of reason 'cancelled' when `options.signal` aborts.
 */
export async function inspectFile(uri: vscode.Uri, options: InspectOptions = {}): Promise<Inspected | string> {
  const displayName = baseName(uri);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch (e) {
    return l10n.t('{0} cannot be read: {1}', displayName, errorText(e));
  }
  if (stat.size > MAX_FILE_BYTES) {
    return tooLargeMessage(displayName, stat.size);
  }
  let r: InspectResult;
  let source: Awaited<ReturnType<typeof sourceOf>>;
  try {
    source = await sourceOf(uri);
    r = await audioWorker().run(
      { type: 'inspect', source: source.audio, fileName: displayName, keep: options.keep, trim: options.trim },
      { sizeBytes: stat.size, signal: options.signal },
    );
  } catch (e) {
    if (e instanceof AudioJobError) {
      if (e.reason === 'cancelled') {
        throw e;
      }
      return workerRefusal(displayName, stat.size, e);
    }
    return l10n.t('{0} cannot be read: {1}', displayName, errorText(e));
  }
  const audio: DecodedAudio | undefined = r.decoded && {
    ...r.decoded,
    id: r.audioId,
    fileBytes: stat.size,
    envelope: r.envelope,
    suggested: r.suggested,
  };
  return {
    uri,
    displayName,
    source: source.upload,
    checked: { size: stat.size, mtime: stat.mtime },
    probe: r.probe,
    rules: r.rules,
    audio,
    report: r.report,
    notDecoded: r.notDecoded,
    trimmed: r.trimmed,
  };
}

/** Why a file cannot be sent as it is, and whether a window could be cut from it; undefined when it can be sent. */
function refusal(i: Inspected): { message: string; trimmable: boolean } | undefined {
  if (i.rules.errors.length) {
    return { message: i.rules.errors.join(' '), trimmable: i.rules.trimmable && i.audio !== undefined };
  }
  if (i.report?.silent) {
    return {
      message: l10n.t(
        '{0} is silent (peak {1} dBFS). Kling needs 5–30 s of one person speaking.',
        i.displayName,
        formatNumber(i.report.peakDbfs, 0),
      ),
      trimmable: false,
    };
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
      source: i.source,
      sizeBytes: i.checked.size,
      checked: i.checked,
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

/** A window exported by the worker, ready to upload (the original file is not changed). */
export function preparedFromExport(
  i: Pick<Inspected, 'uri' | 'displayName'>,
  exported: ExportedWindow,
  window: AudioWindow,
): Prepared {
  const stem = i.displayName.replace(/\.[^.]+$/, '');
  const probe = exported.probe ?? {
    fileName: `${stem}.wav`,
    extension: '.wav',
    sizeBytes: exported.wav.length,
    isAudio: true,
    decodable: true,
    kind: 'wav' as const,
  };
  return {
    uri: i.uri,
    displayName: i.displayName,
    uploadName: `${stem}.wav`,
    source: { kind: 'bytes', bytes: exported.wav },
    sizeBytes: exported.wav.length,
    contentType: 'audio/wav',
    probe: { ...probe, fileName: i.displayName },
    report: exported.report,
    trimmed: window,
  };
}

/**
 * Cuts a window of a file the worker keeps (inspectFile with `keep`) and exports it as mono 16-bit WAV, probed and
 * measured. Undefined when the worker no longer has the file (it was replaced, or the file changed): inspect it again.
 */
export async function preparedWindow(
  i: Pick<Inspected, 'uri' | 'displayName'> & { audio: DecodedAudio },
  window: AudioWindow,
  normalize: boolean,
): Promise<Prepared | undefined> {
  const exported = await exportKept(i, window, normalize, true);
  return exported && preparedFromExport(i, exported, window);
}

/**
 * Exports a window of a kept file (decoded again from the file at its own rate); undefined when the worker no longer
 * has it or the file changed since its check.
 */
export async function exportKept(
  i: Pick<Inspected, 'displayName'> & { audio: DecodedAudio },
  window: AudioWindow,
  normalize: boolean,
  analyze: boolean,
): Promise<ExportedWindow | undefined> {
  if (!i.audio.id) {
    return undefined;
  }
  const r = await audioWorker().run(
    { type: 'export', audioId: i.audio.id, window, normalize, analyze, fileName: i.displayName },
    { sizeBytes: i.audio.fileBytes ?? 0 },
  );
  return 'lost' in r ? undefined : r;
}

/** Lets the worker drop a kept file (a trimmer tab closed). */
export function releaseKept(audio: DecodedAudio | undefined): void {
  if (audio?.id) {
    void audioWorker()
      .run({ type: 'release', audioId: audio.id })
      .catch(() => undefined);
  }
}

/** Reads, probes and checks one file; decodes it when possible for the quality report and trimming. */
export async function checkFile(
  uri: vscode.Uri,
  trim: boolean,
  normalize: boolean,
  signal?: AbortSignal,
): Promise<Checked> {
  const i = await inspectFile(uri, { trim: trim ? { normalize } : undefined, signal });
  if (typeof i === 'string') {
    return { ok: false, uri, displayName: baseName(uri), message: i, trimmable: false };
  }
  const asIs = asPrepared(i);
  if (asIs.ok || !(asIs.trimmable && trim && i.trimmed)) {
    return asIs;
  }
  return { ok: true, file: preparedFromExport(i, i.trimmed, i.trimmed.window) };
}

/**
 * Checks files one after another: each is read and decoded alone in the worker, and only what a checked file
 * needs later (its path, or the exported window) is kept, so a batch never holds several decoded files at once.
 */
export async function checkFiles(
  uris: readonly vscode.Uri[],
  trim: boolean,
  normalize: boolean,
  signal?: AbortSignal,
): Promise<Checked[]> {
  const out: Checked[] = [];
  for (const uri of uris) {
    out.push(await checkFile(uri, trim, normalize, signal));
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
export function fileView(i: Inspected | string, fileName: string): FileView {
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

export function toUri(file: string | vscode.Uri): vscode.Uri {
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
 * the new upload's URL) from another take or window of that file (a new voice). The hash is the one taken for the
 * speaker's consent (sampleSha256) or by the upload as it sent the bytes; bytes in memory are hashed here.
 */
export function sampleFingerprint(file: Prepared): string {
  let f = fingerprints.get(file);
  if (f === undefined) {
    const hash =
      file.sha256 ??
      (file.source.kind === 'bytes' && !isReleased(file)
        ? createHash('sha256').update(file.source.bytes).digest('hex')
        : `unhashed-${file.checked?.mtime ?? 0}`);
    const window = file.trimmed ? `${file.trimmed.startSec.toFixed(3)}-${file.trimmed.endSec.toFixed(3)}` : 'whole';
    f = `${file.sizeBytes}:${hash.slice(0, 32)}:${window}`;
    fingerprints.set(file, f);
  }
  return f;
}

/**
 * The SHA-256 (hex) of the bytes that will be sent: the sample the speaker's consent is recorded for. Taken before
 * the upload (a file on disk is read through once, in chunks, without holding it), and kept as `file.sha256`.
 */
export async function sampleSha256(file: Prepared): Promise<string> {
  if (file.sha256) {
    return file.sha256;
  }
  const hash = createHash('sha256');
  if (file.source.kind === 'bytes') {
    hash.update(file.source.bytes);
  } else {
    for await (const chunk of fs.createReadStream(file.source.path)) {
      hash.update(chunk as Buffer);
    }
  }
  file.sha256 = hash.digest('hex');
  return file.sha256;
}

/** The consent gate's identity of a prepared file. */
export async function fileConsentSample(file: Prepared): Promise<ConsentSample> {
  return { kind: 'file', sha256: await sampleSha256(file), fileName: file.displayName };
}
