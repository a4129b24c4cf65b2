// Uploaded samples waiting for their task to end before they are deleted (klingVoice.upload.s3.deleteAfterTask),
// kept in globalState so that a window closed first does not leave them behind: the next start (or the account
// list showing the task ended) finishes the job.
import { errorText, isKlingError, isTerminal, type VoiceTask } from '../kling';
import { S3UploadProvider } from '../upload';
import { createUploadProvider } from '../upload/vscodeUpload';
import { STATE_KEYS } from '../ids';
import type { FromFileDeps } from './types';

/**
 * What a delete needs besides the credentials, which stay in SecretStorage: where the object is (the provider's
 * destination, `<endpoint>/<bucket>`, and the object key, a random id and the file name) and which task must end
 * first. No URL with a signature, no key.
 */
export interface PendingDelete {
  provider: 's3';
  destination: string;
  objectKey: string;
  /** The API base URL of the task: its ids mean nothing on another service. */
  baseUrl: string;
  taskId?: string;
  /** When the outcome of the create is unknown: the task is looked up by it. */
  externalTaskId?: string;
  /** Unix ms when it was recorded. */
  at: number;
}

const STATE_KEY = STATE_KEYS.pendingDeletes;
/** After this long the object is left alone (and the log says so): a task never takes this long. */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_RECORDS = 200;

function isPending(v: unknown): v is PendingDelete {
  const p = v as PendingDelete;
  return (
    typeof v === 'object' &&
    v !== null &&
    p.provider === 's3' &&
    typeof p.destination === 'string' &&
    typeof p.objectKey === 'string' &&
    typeof p.baseUrl === 'string' &&
    typeof p.at === 'number'
  );
}

const same = (a: PendingDelete, b: Pick<PendingDelete, 'destination' | 'objectKey'>) =>
  a.destination === b.destination && a.objectKey === b.objectKey;

/** Deletes being done now in this window (by the runner that uploaded, or from the list). */
const busy = new Set<string>();

export class PendingDeletes {
  constructor(private readonly _deps: FromFileDeps) {}

  list(): PendingDelete[] {
    const raw = this._deps.context.globalState.get<unknown>(STATE_KEY, []);
    return Array.isArray(raw) ? raw.filter(isPending) : [];
  }

  /** Records a delete to do once the task has ended (re-read just before writing: other windows add theirs). */
  async add(record: PendingDelete): Promise<void> {
    const rest = this.list().filter((p) => !same(p, record));
    await this._deps.context.globalState.update(STATE_KEY, [record, ...rest].slice(0, MAX_RECORDS));
  }

  async remove(record: Pick<PendingDelete, 'destination' | 'objectKey'>): Promise<void> {
    const list = this.list();
    const rest = list.filter((p) => !same(p, record));
    if (rest.length !== list.length) {
      await this._deps.context.globalState.update(STATE_KEY, rest);
    }
  }

  /**
   * Deletes the object with `remove` (the runner's own cleanup, or one built from the settings) and forgets the
   * record; nothing when the record is gone (another path or window deleted it) or is being deleted now.
   */
  async finish(record: PendingDelete, remove?: () => Promise<void>): Promise<void> {
    const id = `${record.destination}\n${record.objectKey}`;
    if (busy.has(id) || !this.list().some((p) => same(p, record))) {
      return;
    }
    busy.add(id);
    try {
      await (remove ?? (() => this._deleteFromSettings(record)))();
      await this.remove(record);
    } catch (e) {
      this._deps.log.warn(`upload: could not delete ${record.destination}/${record.objectKey}: ${errorText(e)}`);
    } finally {
      busy.delete(id);
    }
  }

  /** At start: every recorded delete whose task has ended is done; the others wait for their task in the background. */
  async resume(): Promise<void> {
    const baseUrl = this._deps.service.currentBaseUrl();
    for (const record of this.list()) {
      if (Date.now() - record.at > MAX_AGE_MS) {
        this._deps.log.info(
          `upload: kept ${record.destination}/${record.objectKey}: its task could not be seen ending within 7 days.`,
        );
        await this.remove(record);
      } else if (record.baseUrl === baseUrl) {
        await this._resumeOne(record).catch((e: unknown) =>
          this._deps.log.info(`upload: the delete of ${record.objectKey} waits for the next start (${errorText(e)})`),
        );
      }
    }
  }

  /** A task the history now shows as ended (the account list, another window's follow-up): its sample goes. */
  async onHistoryChanged(): Promise<void> {
    for (const record of this.list()) {
      const entry = record.taskId ? this._deps.service.history.get(record.taskId) : undefined;
      if (entry && isTerminal(entry.status)) {
        await this.finish(record);
      }
    }
  }

  private async _resumeOne(record: PendingDelete): Promise<void> {
    const service = this._deps.service;
    let task: VoiceTask | undefined;
    if (record.taskId) {
      task = await service.getTask(record.taskId);
    } else if (record.externalTaskId) {
      task = await service.findTaskByExternalId(record.externalTaskId);
      if (task) {
        await this.add({ ...record, taskId: task.taskId });
      }
    }
    if (!task) {
      return; // not (yet) created: looked up again at the next start, until MAX_AGE_MS
    }
    if (isTerminal(task.status)) {
      await this.finish(record);
      return;
    }
    this._deps.log.info(`upload: ${record.objectKey} is deleted once task ${task.taskId} has ended`);
    void service.waitForTask(task.taskId).then(
      () => this.finish(record),
      (e: unknown) => {
        if (!(isKlingError(e) && e.kind === 'cancelled')) {
          this._deps.log.info(`upload: the delete of ${record.objectKey} waits (${errorText(e)})`);
        }
      },
    );
  }

  /** Deletes with the provider configured now, only when it is the same destination (credentials from SecretStorage). */
  private async _deleteFromSettings(record: PendingDelete): Promise<void> {
    const provider = await createUploadProvider(this._deps.context.secrets, this._deps.log);
    if (!(provider instanceof S3UploadProvider) || provider.destination !== record.destination) {
      throw new Error(
        `the storage configured now is not ${record.destination}; the delete waits until it is configured again`,
      );
    }
    await provider.deleteObject(record.objectKey);
  }
}

const instances = new WeakMap<FromFileDeps, PendingDeletes>();

/** The one list of pending deletes of these deps (./register.ts asks for it whenever the history changes). */
export function pendingDeletesOf(deps: FromFileDeps): PendingDeletes {
  let pending = instances.get(deps);
  if (!pending) {
    pending = new PendingDeletes(deps);
    instances.set(deps, pending);
  }
  return pending;
}
