// The audio worker: a worker_threads Worker (bundled as dist/audioWorker.js) that reads, probes, decodes, measures
// and cuts audio files off the extension host's thread. It keeps a file's mono mix by id while a trimmer tab uses
// it, so previews and the export need no second decode. The host (./client.ts) limits its time and memory.
import * as fs from 'fs';
import * as l10n from '@vscode/l10n';
import { parentPort, workerData } from 'worker_threads';
import {
  MAX_DECODE_SEC,
  analyze,
  checkRules,
  decodeAudio,
  exportWindowWav,
  peakEnvelope,
  probe,
  suggestWindow,
  tooLongToDecode,
  type AudioWindow,
  type PcmAudio,
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

const kept = new Map<string, PcmAudio>();
let nextAudioId = 1;

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function read(source: AudioSource): Promise<Uint8Array> {
  if ('bytes' in source) {
    return source.bytes;
  }
  const buffer = await fs.promises.readFile(source.path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/** Cuts a window of the mono mix as mono 16-bit WAV; with `measure`, probes and measures the WAV as it will be sent. */
async function cut(
  audio: PcmAudio,
  window: AudioWindow,
  normalize: boolean,
  fileName: string,
  measure: boolean,
): Promise<ExportedWindow> {
  const wav = exportWindowWav(audio, window, normalize ? { normalizePeakDbfs: -1 } : {});
  if (!measure) {
    return { wav };
  }
  const stem = fileName.replace(/\.[^.]+$/, '');
  const probed = await probe(wav, `${stem}.wav`);
  return { wav, probe: probed, report: analyze((await decodeAudio(wav, probed)) ?? audio) };
}

async function inspect(r: InspectRequest): Promise<InspectResult> {
  let bytes: Uint8Array | undefined = await read(r.source);
  const probed = await probe(bytes, r.fileName);
  const rules = checkRules(probed);
  let audio: PcmAudio | undefined;
  let notDecoded: string | undefined;
  if (tooLongToDecode(probed)) {
    // Decoding would cost memory in proportion to the length: the rules refuse it with its length and the limit.
    notDecoded = l10n.t('longer than {0} min', MAX_DECODE_SEC / 60);
  } else if (probed.decodable) {
    try {
      audio = await decodeAudio(bytes, probed);
    } catch (e) {
      notDecoded = messageOf(e); // the headers were fine; the report just has no measurements
    }
  }
  bytes = undefined; // the file's bytes are not needed any more: only the mono mix is kept
  const result: InspectResult = { probe: probed, rules, notDecoded };
  if (!audio) {
    return result;
  }
  const mono = audio.channels[0];
  result.decoded = {
    sampleRate: audio.sampleRate,
    length: mono.length,
    sourceChannels: audio.source?.channels ?? audio.channels.length,
  };
  result.report = analyze(audio);
  if (r.keep) {
    result.audioId = `a${nextAudioId++}`;
    kept.set(result.audioId, audio);
    result.envelope = peakEnvelope(audio);
    result.suggested = suggestWindow(audio);
  }
  if (r.trim && rules.errors.length > 0 && rules.trimmable) {
    const window = result.suggested ?? suggestWindow(audio);
    if (window) {
      const w = { startSec: window.startSec, endSec: window.endSec };
      result.trimmed = { ...(await cut(audio, w, r.trim.normalize, r.fileName, true)), window: w };
    }
  }
  return result;
}

async function exportWindow(r: ExportRequest): Promise<ExportResult> {
  const audio = kept.get(r.audioId);
  if (!audio) {
    return { lost: true };
  }
  return cut(audio, r.window, r.normalize, r.fileName, r.analyze);
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
