// Looking at a local file before anything leaves the machine: read, probe, check the rules, decode, measure, cut a
// window. The result is what the form, the trimmer and the command show, and what the pipeline uploads.
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import {
  AudioWindow,
  MAX_DECODE_SEC,
  MAX_FILE_BYTES,
  PcmAudio,
  ProbeResult,
  QualityReport,
  analyze,
  checkRules,
  decodeAudio,
  exportWindowWav,
  formatBytes,
  probe,
  RuleCheck,
  suggestWindow,
  tooLongToDecode,
} from '../audio';
import { errorText } from '../kling';
import type { FileView, QualitySummary } from '../shared/protocol/createForm';
import type { ConsentSample } from '../shared/consent';

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

export const RELEASED = new Uint8Array(0);

/**
 * Drops a prepared file's bytes once they are uploaded, so a batch does not keep every file until it ends. Its
 * fingerprint (a hash of those bytes, needed by the create that follows) is taken first.
 */
export function releaseBytes(file: Prepared): void {
  sampleFingerprint(file);
  file.bytes = RELEASED;
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
  return {
    uri,
    displayName,
    bytes,
    probe: probed,
    rules,
    audio,
    report: audio ? analyze(audio) : undefined,
    notDecoded,
  };
}

/** Why a file cannot be sent as it is, and whether a window could be cut from it; undefined when it can be sent. */
function refusal(i: Omit<Inspected, 'bytes'>): { message: string; trimmable: boolean } | undefined {
  if (i.rules.errors.length) {
    return { message: i.rules.errors.join(' '), trimmable: i.rules.trimmable && i.audio !== undefined };
  }
  if (i.report?.silent) {
    return {
      message: `${i.displayName} is silent (peak ${i.report.peakDbfs.toFixed(0)} dBFS). Kling needs 5–30 s of one person speaking.`,
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
export async function preparedWindow(
  i: Pick<Inspected, 'uri' | 'displayName'> & { audio: PcmAudio },
  window: AudioWindow,
  normalize: boolean,
): Promise<Prepared> {
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
export async function checkFile(uri: vscode.Uri, trim: boolean, normalize: boolean): Promise<Checked> {
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
export async function checkFiles(uris: readonly vscode.Uri[], trim: boolean, normalize: boolean): Promise<Checked[]> {
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

export function toUri(file: string | vscode.Uri): vscode.Uri {
  if (typeof file !== 'string') {
    return file;
  }
  // "file:///…", "vscode-remote://…" etc. are URIs; anything else is a path on this machine.
  return /^[a-z][a-z0-9+.-]+:\/\//i.test(file) ? vscode.Uri.parse(file, true) : vscode.Uri.file(file);
}

const fingerprints = new WeakMap<Prepared, { fingerprint: string; sha256: string }>();

function identify(file: Prepared): { fingerprint: string; sha256: string } {
  let f = fingerprints.get(file);
  if (f === undefined) {
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    const window = file.trimmed ? `${file.trimmed.startSec.toFixed(3)}-${file.trimmed.endSec.toFixed(3)}` : 'whole';
    f = { fingerprint: `${file.bytes.length}:${sha256.slice(0, 32)}:${window}`, sha256 };
    fingerprints.set(file, f);
  }
  return f;
}

/**
 * What is sent of a file: the size and a hash of the bytes (the exported window for a trimmed file) and the window.
 * With the file's URI it tells a retry of the same sample (to be looked up after an unconfirmed create, whatever
 * the new upload's URL) from another take or window of that file (a new voice).
 */
export function sampleFingerprint(file: Prepared): string {
  return identify(file).fingerprint;
}

/** The SHA-256 (hex) of the bytes sent: the sample the speaker's consent is recorded for. */
export function sampleSha256(file: Prepared): string {
  return identify(file).sha256;
}

/** The consent gate's identity of a prepared file. */
export function fileConsentSample(file: Prepared): ConsentSample {
  return { kind: 'file', sha256: sampleSha256(file), fileName: file.displayName };
}
