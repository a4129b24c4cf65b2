// The messages between the extension host and the audio worker (src/audioWorker/worker.ts). Everything here is
// structured-clone data: plain objects, strings, numbers and Uint8Arrays (transferred, not copied, where they are big).
import type { AudioWindow, ProbeResult, QualityReport, RuleCheck, WindowSuggestion } from '../audio';

/** Where the worker reads a file from: a path on this machine, or bytes the host read (a virtual workspace). */
export type AudioSource = { path: string } | { bytes: Uint8Array };

/** What decoding found: the mono mix's rate and length (the samples themselves are measured and dropped). */
export interface DecodedFacts {
  sampleRate: number;
  /** Samples in the mono mix, at the file's own rate. */
  length: number;
  /** The file's own channels (a two-channel file whose channels are identical counts as one). */
  sourceChannels: number;
}

/** A window decoded again from the file and exported as mono 16-bit WAV, with its own probe and report. */
export interface ExportedWindow {
  wav: Uint8Array;
  /** The exported WAV probed and measured (absent for a preview, which needs only the WAV). */
  probe?: ProbeResult;
  report?: QualityReport;
}

export interface InspectRequest {
  type: 'inspect';
  source: AudioSource;
  fileName: string;
  /**
   * Keep the file's measurements and where it is in the worker (for the trimmer's previews and export, which decode
   * their window again from the file) and return its waveform and a suggestion.
   */
  keep?: boolean;
  /** Cut the suggested window and export it when the file is decodable and too long (a batch's `trim: 'suggested'`). */
  trim?: { normalize: boolean };
}

export interface InspectResult {
  probe: ProbeResult;
  rules: RuleCheck;
  decoded?: DecodedFacts;
  report?: QualityReport;
  notDecoded?: string;
  /** With `keep`: the id of the file kept in the worker, its waveform and the suggested window. */
  audioId?: string;
  envelope?: number[];
  suggested?: WindowSuggestion;
  /** With `trim`, when a window could be cut. */
  trimmed?: ExportedWindow & { window: AudioWindow };
}

export interface ExportRequest {
  type: 'export';
  audioId: string;
  window: AudioWindow;
  normalize: boolean;
  /** Probe and measure the exported WAV (for the upload); a preview needs only the WAV. */
  analyze: boolean;
  fileName: string;
}

/**
 * `lost`: the worker that had the file was replaced (it timed out, crashed or was cancelled), or the file changed or
 * went since it was checked: check it again. `released`: the worker let go of it (the file changed).
 */
export type ExportResult = ExportedWindow | { lost: true; released?: true };

export interface ReleaseRequest {
  type: 'release';
  audioId: string;
}

export type AudioRequest = InspectRequest | ExportRequest | ReleaseRequest;

export type ResultOf<R extends AudioRequest> = R extends InspectRequest
  ? InspectResult
  : R extends ExportRequest
    ? ExportResult
    : void;

/** Host → worker. */
export interface JobMessage {
  id: number;
  request: AudioRequest;
}

/** Worker → host. */
export type WorkerMessage =
  { type: 'ready' } | { type: 'done'; id: number; result: unknown } | { type: 'failed'; id: number; message: string };
