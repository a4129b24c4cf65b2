// The lifecycle of one uploaded sample: upload it, create the voice from its URL, follow the task, and delete the
// upload when (and only when) Kling can no longer need it.
import * as l10n from '@vscode/l10n';
import { formatBytes } from '../audio';
import {
  CreateVoiceInput,
  KlingError,
  VoiceTask,
  errorText,
  isConcurrencyLimit,
  isKlingError,
  isTerminal,
  mayHaveCreated,
} from '../kling';
import type { UploadProvider, UploadResult } from '../upload';
import { readUploadSettings } from '../upload/vscodeUpload';
import { isReleased, sampleFingerprint, sampleSha256, unchangedSinceChecked, type Prepared } from './inspect';
import type { FromFileDeps } from './types';
import type { ConsentGiven } from '../service/consentGate';
import { PendingDeletes, type PendingDelete } from './pendingDeletes';

/** Does the whole job for files that passed the checks: upload, create, follow, clean up. */
export class Runner {
  private readonly _pending: PendingDeletes;

  constructor(
    private readonly _deps: FromFileDeps,
    private readonly _provider: UploadProvider,
  ) {
    this._pending = new PendingDeletes(_deps);
  }

  /** Uploads one file. */
  async upload(file: Prepared, signal: AbortSignal, onProgress?: (pct: number) => void): Promise<UploadResult> {
    if (isReleased(file)) {
      throw new Error(l10n.t('{0} was uploaded already; its bytes are no longer kept.', file.displayName));
    }
    await unchangedSinceChecked(file);
    const started = Date.now();
    const result = await this._provider.upload({
      source: file.source,
      fileName: file.uploadName,
      contentType: file.contentType,
      signal,
      onProgress: (p) => onProgress?.(p.totalBytes ? Math.round((p.sentBytes / p.totalBytes) * 100) : 100),
    });
    file.sha256 = result.sha256; // hashed while it was sent: the fingerprint of the create that follows
    this._deps.log.info(
      `upload: ${file.displayName} (${formatBytes(file.sizeBytes)}) → ${result.displayUrl} in ${Date.now() - started} ms`,
    );
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
    options: {
      signal: AbortSignal;
      wait: boolean;
      onUpdate?: (t: VoiceTask) => void;
      onSubmitted?: (t: VoiceTask) => void;
      keepOn1303?: boolean;
      /** The speaker's consent stated by the caller (otherwise the one recorded for this sample). */
      consent?: ConsentGiven;
    },
  ): Promise<VoiceTask> {
    const deleteAfter = this._deletes(uploaded);
    const seen: { taskId?: string; externalTaskId?: string } = {};
    let task: VoiceTask | undefined;
    let failure: { error: unknown } | undefined;
    try {
      if (options.signal.aborted) {
        // Cancelled before the create was sent (e.g. a batch job about to try again after a 1303).
        throw new KlingError({ kind: 'cancelled', message: l10n.t('Cancelled.') });
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
          source: {
            kind: 'file',
            fileName: file.displayName,
            uri: file.uri.toString(),
            ...(file.trimmed ? { window: { startSec: file.trimmed.startSec, endSec: file.trimmed.endSec } } : {}),
          },
          sampleFingerprint: sampleFingerprint(file),
          sampleSha256: await sampleSha256(file),
          consent: options.consent,
        },
      );
      return task;
    } catch (e) {
      failure = { error: e };
      throw e;
    } finally {
      if (deleteAfter) {
        await this._release(
          uploaded,
          failure ? { ...failure, ...seen, keepOn1303: options.keepOn1303 === true } : { task: task as VoiceTask },
        );
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
    this._deps.log.info(
      `upload: ${uploaded.displayUrl} is deleted once task ${taskId} has ended (Kling may still download it)`,
    );
    // Kept in globalState until done: a window closed before the task ends leaves it to the next start.
    const record = this._pendingRecord(uploaded, { taskId });
    const stored = record ? this._pending.add(record) : Promise.resolve();
    void stored
      .then(() => this._deps.service.waitForTask(taskId))
      .then(
        () => (record ? this._pending.finish(record, () => this._cleanup(uploaded, true)) : this._cleanup(uploaded)),
        (e: unknown) => this._keep(uploaded, `task ${taskId} could not be followed to its end (${errorText(e)})`),
      );
  }

  /** What to store to delete the object later (S3 only), or undefined when it cannot be stored. */
  private _pendingRecord(
    uploaded: UploadResult,
    task: { taskId?: string; externalTaskId?: string },
  ): PendingDelete | undefined {
    const baseUrl = this._deps.service.currentBaseUrl();
    if (this._provider.id !== 's3' || !uploaded.objectKey || !baseUrl) {
      return undefined;
    }
    return {
      provider: 's3',
      destination: this._provider.destination,
      objectKey: uploaded.objectKey,
      baseUrl,
      ...task,
      at: Date.now(),
    };
  }

  private async _lookUpThenRelease(uploaded: UploadResult, externalTaskId: string): Promise<void> {
    const record = this._pendingRecord(uploaded, { externalTaskId });
    if (record) {
      await this._pending.add(record); // the next start looks it up again if this window cannot tell
    }
    let found: VoiceTask | undefined;
    try {
      found = await this._deps.service.findTaskByExternalId(externalTaskId);
    } catch (e) {
      this._keep(
        uploaded,
        `whether Kling got the create (external_task_id ${externalTaskId}) cannot be told (${errorText(e)})`,
      );
      return;
    }
    if (!found) {
      this._keep(uploaded, `no task with external_task_id ${externalTaskId} was found, but Kling may still create it`);
    } else if (isTerminal(found.status)) {
      await (record ? this._pending.finish(record, () => this._cleanup(uploaded, true)) : this._cleanup(uploaded));
    } else {
      this._deleteWhenEnded(uploaded, found.taskId);
    }
  }

  private _keep(uploaded: UploadResult, why: string): void {
    this._deps.log.info(
      `upload: kept ${uploaded.displayUrl}: ${why}, and Kling may still download it (its presigned link expires anyway).`,
    );
  }

  /** Deletes the object; failures are logged, or thrown with `rethrow` (a stored delete is then kept). */
  private async _cleanup(uploaded: UploadResult, rethrow = false): Promise<void> {
    try {
      await uploaded.cleanup?.();
    } catch (e) {
      this._deps.log.warn(`upload: could not delete ${uploaded.displayUrl}: ${errorText(e)}`);
      if (rethrow) {
        throw e;
      }
    }
  }
}
