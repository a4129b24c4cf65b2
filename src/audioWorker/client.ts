// The host side of the audio worker: starts it, sends it one job at a time, and turns a job that runs too long,
// needs too much memory or is cancelled into an error, terminating the worker; the next job gets a fresh one.
// Nothing here decodes or parses: the extension host's thread only posts messages and waits.
import * as l10n from '@vscode/l10n';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { AudioRequest, JobMessage, ResultOf, WorkerMessage } from './protocol';
import { onStopAudioWorker, workerTranslations } from './host';

/** Why a job did not finish: it ran over its time limit, the worker crashed (or ran out of memory), or it was cancelled. */
export type AudioJobFailure = 'timeout' | 'crashed' | 'cancelled' | 'failed';

export class AudioJobError extends Error {
  constructor(
    readonly reason: AudioJobFailure,
    message: string,
    /** The time limit that was exceeded (reason 'timeout'). */
    readonly limitMs?: number,
  ) {
    super(message);
    this.name = 'AudioJobError';
  }
}

export interface AudioWorkerOptions {
  /** The worker script; default: dist/audioWorker.js beside the bundle, or worker.js beside this file (tests). */
  file?: string;
  /** The time limit of a job on `sizeBytes` of input; default `audioTimeLimitMs`. */
  timeLimitMs?: (sizeBytes: number) => number;
  /**
   * V8 heap limit of the worker. A check holds no audio (a file is decoded as it streams by into a few running
   * sums: under 1 MB for 10 minutes) and its heap stays near 10 MB; what needs more is a runaway parser.
   */
  maxOldGenerationSizeMb?: number;
  /** How long the worker may take to start and load its libraries. */
  startTimeoutMs?: number;
  /** An idle worker that keeps no audio is stopped after this long (default 30 s). */
  idleMs?: number;
}

/**
 * How long checking `sizeBytes` may take: 15 s for a 10-minute MP3 (about 10 MB), scaled by size, at least 5 s,
 * at most 60 s (a 50 MB WAV decodes much faster per byte than an MP3). KLING_AUDIO_TIME_LIMIT_MS overrides it (tests).
 */
export function audioTimeLimitMs(sizeBytes: number): number {
  const forced = Number(process.env.KLING_AUDIO_TIME_LIMIT_MS);
  if (Number.isFinite(forced) && forced > 0) {
    return forced;
  }
  return Math.min(60_000, Math.max(5_000, 1_500 * (sizeBytes / (1024 * 1024))));
}

interface Job {
  id: number;
  request: AudioRequest;
  transfer: ArrayBuffer[];
  sizeBytes: number;
  signal?: AbortSignal;
  resolve(value: unknown): void;
  reject(e: Error): void;
  onAbort?: () => void;
}

function defaultWorkerFile(): string {
  const bundled = path.join(__dirname, 'audioWorker.js');
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, 'worker.js');
}

export { setWorkerTranslations, stopAudioWorker } from './host';

/** One worker thread, one job at a time, replaced after a timeout, a crash or a cancel. */
export class AudioWorkerClient {
  private _worker: Worker | undefined;
  private _ready: Promise<Worker> | undefined;
  private readonly _queue: Job[] = [];
  private _running: Job | undefined;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Files the current worker keeps for a trimmer (see InspectRequest.keep). */
  private _kept = 0;
  private _nextId = 1;
  private _disposed = false;
  /** Workers started and terminated so far (for tests and the log). */
  readonly stats = { started: 0, terminated: 0 };

  constructor(private readonly _options: AudioWorkerOptions = {}) {}

  /** The running worker's thread id, if one is running. */
  /** True while a job is being run (the worker has it, or is starting for it). */
  get busy(): boolean {
    return this._running !== undefined;
  }

  get threadId(): number | undefined {
    return this._worker?.threadId;
  }

  /**
   * Runs one job. `sizeBytes` scales the time limit; `transfer` hands array buffers to the worker (they are
   * unusable here afterwards). Rejects with an AudioJobError on a timeout, a crash or a cancel.
   */
  run<R extends AudioRequest>(
    request: R,
    options: { sizeBytes?: number; signal?: AbortSignal; transfer?: ArrayBuffer[] } = {},
  ): Promise<ResultOf<R>> {
    return new Promise<ResultOf<R>>((resolve, reject) => {
      if (this._disposed) {
        reject(new AudioJobError('cancelled', l10n.t('The audio worker has stopped.')));
        return;
      }
      if (options.signal?.aborted) {
        reject(new AudioJobError('cancelled', l10n.t('The check was cancelled.')));
        return;
      }
      const job: Job = {
        id: this._nextId++,
        request,
        transfer: options.transfer ?? [],
        sizeBytes: options.sizeBytes ?? 0,
        signal: options.signal,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      if (job.signal) {
        job.onAbort = () => this._cancel(job);
        job.signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this._queue.push(job);
      this._pump();
    });
  }

  /** Stops the worker; queued and running jobs are rejected as cancelled. */
  dispose(): void {
    this._disposed = true;
    for (const job of this._queue.splice(0)) {
      this._settle(job, new AudioJobError('cancelled', l10n.t('The audio worker has stopped.')));
    }
    if (this._running) {
      this._fail(new AudioJobError('cancelled', l10n.t('The audio worker has stopped.')));
    }
    this._terminate();
  }

  private _cancel(job: Job): void {
    const error = new AudioJobError('cancelled', l10n.t('The check was cancelled.'));
    if (this._running === job) {
      this._fail(error); // the worker is busy with it: only terminating it stops the work
      return;
    }
    const at = this._queue.indexOf(job);
    if (at >= 0) {
      this._queue.splice(at, 1);
      this._settle(job, error);
    }
  }

  private _settle(job: Job, error: Error | undefined, value?: unknown): void {
    if (job.onAbort) {
      job.signal?.removeEventListener('abort', job.onAbort);
    }
    if (error) {
      job.reject(error);
    } else {
      job.resolve(value);
    }
  }

  private _pump(): void {
    if (this._running || this._disposed) {
      return;
    }
    const job = this._queue.shift();
    if (!job) {
      this._idleCheck();
      return;
    }
    clearTimeout(this._idleTimer);
    this._running = job;
    this._ensureWorker().then(
      (worker) => {
        if (this._running !== job) {
          return; // cancelled while the worker started
        }
        const limit = (this._options.timeLimitMs ?? audioTimeLimitMs)(job.sizeBytes);
        this._timer = setTimeout(
          () =>
            this._fail(
              new AudioJobError(
                'timeout',
                l10n.t('took longer than {0} s', Math.round(limit / 100) / 10),
                Math.round(limit),
              ),
            ),
          limit,
        );
        worker.postMessage({ id: job.id, request: job.request } satisfies JobMessage, job.transfer);
      },
      (e: unknown) => {
        if (this._running === job) {
          this._fail(e instanceof AudioJobError ? e : new AudioJobError('crashed', String(e)));
        }
      },
    );
  }

  /** Ends the running job with an error, terminating the worker (it may be stuck in the job). */
  private _fail(error: AudioJobError): void {
    const job = this._running;
    this._running = undefined;
    clearTimeout(this._timer);
    this._terminate();
    if (job) {
      this._settle(job, error);
    }
    this._pump();
  }

  private _done(m: WorkerMessage): void {
    const job = this._running;
    if (m.type === 'ready' || !job || job.id !== m.id) {
      return;
    }
    this._running = undefined;
    clearTimeout(this._timer);
    if (m.type === 'failed') {
      this._settle(job, new AudioJobError('failed', m.message));
    } else {
      this._kept += this._keptDelta(job.request, m.result);
      this._settle(job, undefined, m.result);
    }
    this._pump();
  }

  /** How a finished job changes the number of files the worker keeps. */
  private _keptDelta(request: AudioRequest, result: unknown): number {
    if (request.type === 'release' || (request.type === 'export' && (result as { released?: boolean }).released)) {
      return this._kept > 0 ? -1 : 0;
    }
    return request.type === 'inspect' && (result as { audioId?: string } | undefined)?.audioId ? 1 : 0;
  }

  /** An idle worker that keeps nothing is stopped after a while: its memory goes back to the system. */
  private _idleCheck(): void {
    clearTimeout(this._idleTimer);
    if (this._worker && !this._running && this._queue.length === 0 && this._kept === 0) {
      this._idleTimer = setTimeout(() => {
        if (!this._running && this._queue.length === 0 && this._kept === 0) {
          this._terminate();
        }
      }, this._options.idleMs ?? 30_000);
      this._idleTimer.unref?.();
    }
  }

  private _terminate(): void {
    this._kept = 0; // a new worker keeps nothing
    const worker = this._worker;
    this._worker = undefined;
    this._ready = undefined;
    if (worker) {
      this.stats.terminated++;
      void worker.terminate();
    }
  }

  private _ensureWorker(): Promise<Worker> {
    this._ready ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(this._options.file ?? defaultWorkerFile(), {
        // The worker's messages (rules, quality warnings) come out in the display language too.
        workerData: { l10n: workerTranslations() },
        resourceLimits: { maxOldGenerationSizeMb: this._options.maxOldGenerationSizeMb ?? 64 },
        stdout: false,
        stderr: false,
      });
      this._worker = worker;
      worker.unref(); // an idle worker never keeps the process alive (a running job has its timer)
      this.stats.started++;
      const startTimer = setTimeout(() => {
        reject(new AudioJobError('crashed', l10n.t('the audio worker did not start')));
      }, this._options.startTimeoutMs ?? 20_000);
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          clearTimeout(startTimer);
          resolve(worker);
        } else if (this._worker === worker) {
          this._done(m);
        }
      });
      const gone = (why: string) => {
        clearTimeout(startTimer);
        reject(new AudioJobError('crashed', why));
        if (this._worker === worker) {
          this._worker = undefined;
          this._ready = undefined;
          if (this._running) {
            this._fail(new AudioJobError('crashed', why));
          }
        }
      };
      worker.on('error', (e) => gone(`${(e as { code?: string }).code ?? e.name}: ${e.message}`));
      worker.on('exit', (code) => gone(l10n.t('the audio worker stopped (exit code {0})', code)));
    });
    return this._ready;
  }
}

let shared: AudioWorkerClient | undefined;

/** The audio worker of this extension host (started on the first job; stopped by ./host's stopAudioWorker). */
export function audioWorker(): AudioWorkerClient {
  if (!shared) {
    shared = new AudioWorkerClient();
    onStopAudioWorker(() => {
      shared?.dispose();
      shared = undefined;
    });
  }
  return shared;
}
