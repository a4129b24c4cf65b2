// Uploading and creating several voices, a few at a time, under one cancellable notification.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { errorText, isConcurrencyLimit, isKlingError, type VoiceTask } from '../kling';
import { SETTINGS } from '../ids';
import { UploadError, type UploadProvider, type UploadResult } from '../upload';
import { signalFor, statusLabel } from '../ui/notify';
import { runPool } from './batchPool';
import { releaseBytes, type Prepared } from './inspect';
import type { FromFileDeps, FromFileOptions } from './types';
import { Runner } from './runner';

/** What happened to one file. */
export interface FileOutcome {
  file: string;
  voiceName?: string;
  /** 'refused': broke a rule, nothing was uploaded or sent; 'error': upload or API error; 'skipped': the user said no. */
  status: 'succeed' | 'failed' | 'submitted' | 'processing' | 'refused' | 'error' | 'cancelled' | 'skipped';
  task?: VoiceTask;
  message?: string;
}

function isCancel(e: unknown): boolean {
  return (isKlingError(e) && e.kind === 'cancelled') || (e instanceof UploadError && e.cancelled);
}

function readConcurrency(): number {
  const v = vscode.workspace.getConfiguration(SETTINGS.batch).get<number>('concurrency');
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(10, Math.max(1, Math.floor(v))) : 2;
}

/** One file of the batch and its place in the outcomes. */
export interface Job {
  file: Prepared;
  index: number;
}

/** The batch's shared state while it runs: what each job is doing, the uploads kept for a retry after a 1303. */
class BatchRun {
  readonly status = new Map<number, string>();
  readonly uploads = new Map<number, UploadResult>();
  readonly discarding: Promise<void>[] = [];

  constructor(
    readonly runner: Runner,
    readonly jobs: readonly Job[],
    readonly names: Map<Prepared, string>,
    readonly outcomes: FileOutcome[],
    readonly signal: AbortSignal,
    private readonly _progress: vscode.Progress<{ message?: string }>,
  ) {}

  report(): void {
    const done = this.jobs.filter((j) => !['skipped'].includes(this.outcomes[j.index].status)).length;
    const lines = [...this.status.values()].slice(0, 3).join('; ');
    this._progress.report({
      message: this.jobs.length === 1 ? lines : l10n.t('{0} of {1} done. {2}', done, this.jobs.length, lines),
    });
  }

  setStatus(index: number, text: string): void {
    this.status.set(index, text);
    this.report();
  }
}

/**
 * Uploads each job's file and creates its voice, a few at a time (setting `klingVoice.batch.concurrency`), under
 * one cancellable notification; a create refused with 1303 is tried again later with the same upload. Fills in
 * `outcomes` at each job's index.
 */
export async function uploadAndCreateAll(
  deps: FromFileDeps,
  provider: UploadProvider,
  jobs: Job[],
  names: Map<Prepared, string>,
  outcomes: FileOutcome[],
  options: FromFileOptions,
): Promise<void> {
  const runner = new Runner(deps, provider);
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title:
        jobs.length === 1
          ? l10n.t('Kling Voice: {0}', jobs[0].file.displayName)
          : l10n.t('Kling Voice: {0} voices', jobs.length),
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
      const run = new BatchRun(runner, jobs, names, outcomes, controller.signal, progress);
      await runPool(
        jobs,
        readConcurrency(),
        (job) => runJob(run, job, options.wait !== false, deps.log),
        controller.signal,
        deps.log,
        (job, e) => {
          outcomes[job.index] = {
            file: job.file.uri.toString(),
            voiceName: names.get(job.file),
            status: 'error',
            message: errorText(e),
          };
          // Refused (1303) every time, or cancelled while waiting to try again: no task uses the kept upload.
          const kept = run.uploads.get(job.index);
          if (kept) {
            run.discarding.push(runner.discard(kept));
          }
        },
      );
      await Promise.all(run.discarding);
      signals.forEach((s) => s.removeEventListener('abort', onAbort));
    },
  );
}

/** Uploads one file (once) and creates its voice; a 1303 is thrown back to runPool, which tries again later. */
async function runJob(run: BatchRun, job: Job, wait: boolean, log: vscode.LogOutputChannel): Promise<void> {
  const { file, index } = job;
  const name = run.names.get(file) as string;
  try {
    let uploaded = run.uploads.get(index); // kept when a create is retried after a 1303
    if (!uploaded) {
      run.setStatus(index, l10n.t('{0}: uploading', file.displayName));
      uploaded = await run.runner.upload(file, run.signal, (pct) =>
        run.setStatus(index, l10n.t('{0}: uploading {1} %', file.displayName, pct)),
      );
      run.uploads.set(index, uploaded);
      // The batch's lists still refer to this file until the batch ends: let its bytes go now. A create
      // retried after a 1303 reuses the upload, so they are never needed again.
      releaseBytes(file);
    }
    run.setStatus(index, l10n.t('{0}: creating "{1}"', file.displayName, name));
    const task = await run.runner.create(name, uploaded, file, {
      signal: run.signal,
      wait,
      keepOn1303: true,
      onUpdate: (t) => run.setStatus(index, `${name}: ${statusLabel(t.status)}`),
    });
    run.outcomes[index] = {
      file: file.uri.toString(),
      voiceName: name,
      status: task.status,
      task,
      message: task.statusMessage,
    };
  } catch (e) {
    if (isConcurrencyLimit(e)) {
      throw e; // runPool backs off and runs the job again
    }
    run.outcomes[index] = {
      file: file.uri.toString(),
      voiceName: name,
      status: isCancel(e) ? 'cancelled' : 'error',
      message: errorText(e),
    };
    if (!isCancel(e)) {
      log.error(`${file.displayName}: ${errorText(e)}`);
    }
  } finally {
    run.status.delete(index);
    run.report();
  }
}
