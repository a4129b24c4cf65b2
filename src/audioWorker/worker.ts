// The audio worker: a worker_threads Worker (bundled as dist/audioWorker.js) that reads, probes, decodes, measures
// and cuts audio files off the extension host's thread. A file is read a piece at a time and decoded as it streams by
// into the numbers of its report, window search and waveform; no samples are kept. While a trimmer tab uses a file,
// the worker keeps those numbers and where to find the file by id, and decodes a window again from the file, at its
// own rate, for each preview and export. The host (./client.ts) limits its time and memory.
import * as l10n from '@vscode/l10n';
import { parentPort, workerData } from 'worker_threads';
import {
  FileSource,
  MAX_DECODE_SEC,
  analyzeSource,
  bytesSource,
  checkRules,
  encodeWindow,
  envelopeOf,
  probe,
  probeFile,
  readRange,
  reportOf,
  suggestFrom,
  tooLongToDecode,
  windowRange,
  type AudioWindow,
  type ByteSource,
  type DecodedSource,
} from '../audio';
import type {
  AudioSource,
  ExportRequest,
  ExportResult,
  ExportedWindow,
  InspectRequest,
  InspectResult,
  JobMessage,
  WorkerMessage,
} from './protocol';

/** A file a trimmer uses: its analysis, and the file (as it was when checked) to decode windows from. */
interface Kept {
  decoded: DecodedSource;
  file: { path: string; size: number; mtimeMs: number } | { bytes: Uint8Array };
}

const kept = new Map<string, Kept>();
let nextAudioId = 1;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function open(source: AudioSource): ByteSource {
  return 'bytes' in source ? bytesSource(source.bytes) : new FileSource(source.path);
}

/**
 * Decodes a window again from the file at its own rate and exports it as mono 16-bit WAV (the samples the whole mono
 * mix held); with `measure`, probes and measures the WAV as it will be sent.
 */
async function cut(
  source: ByteSource,
  decoded: DecodedSource,
  window: AudioWindow,
  normalize: boolean,
  fileName: string,
  measure: boolean,
): Promise<ExportedWindow> {
  const { length, sampleRate } = decoded.analysis;
  const { from, to } = windowRange(length, sampleRate, window);
  const mono = await readRange(source, decoded, from, to);
  const wav = encodeWindow(mono, sampleRate, normalize ? { normalizePeakDbfs: -1 } : {});
  if (!measure) {
    return { wav };
  }
  const stem = fileName.replace(/\.[^.]+$/, '');
  const probed = await probe(wav, `${stem}.wav`);
  const measured = await analyzeSource(bytesSource(wav), probed);
  return { wav, probe: probed, report: measured && reportOf(measured.analysis) };
}

async function inspect(r: InspectRequest): Promise<InspectResult> {
  const source = open(r.source);
  try {
    const probed =
      'bytes' in r.source
        ? await probe(r.source.bytes, r.fileName)
        : await probeFile(r.source.path, source, r.fileName);
    const rules = checkRules(probed);
    let decoded: DecodedSource | undefined;
    let notDecoded: string | undefined;
    if (tooLongToDecode(probed)) {
      // Decoding would take time in proportion to the length: the rules refuse it with its length and the limit.
      notDecoded = l10n.t('longer than {0} min', MAX_DECODE_SEC / 60);
    } else if (probed.decodable) {
      try {
        decoded = await analyzeSource(source, probed, { peaks: r.keep });
      } catch (e) {
        notDecoded = messageOf(e); // the headers were fine; the report just has no measurements
      }
    }
    const result: InspectResult = { probe: probed, rules, notDecoded };
    if (!decoded) {
      return result;
    }
    const a = decoded.analysis;
    result.decoded = { sampleRate: a.sampleRate, length: a.length, sourceChannels: a.source.channels };
    result.report = reportOf(a);
    if (r.keep) {
      result.audioId = `a${nextAudioId++}`;
      const file =
        source instanceof FileSource
          ? { path: source.path, size: source.size, mtimeMs: source.mtimeMs }
          : { bytes: (r.source as { bytes: Uint8Array }).bytes };
      kept.set(result.audioId, { decoded, file });
      result.envelope = envelopeOf(a);
      result.suggested = suggestFrom(a);
    }
    if (r.trim && rules.errors.length > 0 && rules.trimmable) {
      const window = result.suggested ?? suggestFrom(a);
      if (window) {
        const w = { startSec: window.startSec, endSec: window.endSec };
        result.trimmed = { ...(await cut(source, decoded, w, r.trim.normalize, r.fileName, true)), window: w };
      }
    }
    return result;
  } finally {
    source.close();
  }
}

/** Opens a kept file again; undefined when it is gone or changed since it was checked (it must be checked again). */
function reopen(k: Kept): ByteSource | undefined {
  if ('bytes' in k.file) {
    return bytesSource(k.file.bytes);
  }
  let source: FileSource;
  try {
    source = new FileSource(k.file.path);
  } catch {
    return undefined;
  }
  if (source.size !== k.file.size || source.mtimeMs !== k.file.mtimeMs) {
    source.close();
    return undefined;
  }
  return source;
}

async function exportWindow(r: ExportRequest): Promise<ExportResult> {
  const k = kept.get(r.audioId);
  if (!k) {
    return { lost: true };
  }
  const source = reopen(k);
  if (!source) {
    kept.delete(r.audioId);
    return { lost: true, released: true };
  }
  try {
    return await cut(source, k.decoded, r.window, r.normalize, r.fileName, r.analyze);
  } finally {
    source.close();
  }
}

async function handle(m: JobMessage): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  const r = m.request;
  switch (r.type) {
    case 'inspect': {
      const result = await inspect(r);
      return { result, transfer: result.trimmed ? [result.trimmed.wav.buffer as ArrayBuffer] : [] };
    }
    case 'export': {
      const result = await exportWindow(r);
      return { result, transfer: 'wav' in result ? [result.wav.buffer as ArrayBuffer] : [] };
    }
    case 'release':
      kept.delete(r.audioId);
      return { result: undefined, transfer: [] };
  }
}

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) {
    return;
  }
  const contents = (workerData as { l10n?: Record<string, string> } | undefined)?.l10n;
  l10n.config({ contents: contents ?? {} });
  // Load the audio libraries before saying ready, so a job's time limit measures the work alone.
  await Promise.all([import('music-metadata'), import('mpg123-decoder')]).catch(() => undefined);
  // One job at a time: the host sends the next one only after this one's answer.
  port.on('message', (m: JobMessage) => {
    handle(m).then(
      ({ result, transfer }) => port.postMessage({ type: 'done', id: m.id, result } satisfies WorkerMessage, transfer),
      (e: unknown) => port.postMessage({ type: 'failed', id: m.id, message: messageOf(e) } satisfies WorkerMessage),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}

void start();
