/**
 * Local sandbox of the Kling "custom voice" HTTP API (developer tooling, not shipped): the public entry. Tests and
 * `npm start` import it from `tools/sandbox`. What it imitates and the decisions it takes where Kling's public API
 * docs are uncertain are in README.md next to this file.
 */
import type { FaultQueue } from './faults';
import { SandboxServer } from './server';
import type { SandboxState } from './state';

export { inspectAudio, type CheckResult } from './audioCheck';
export { FAULT_KINDS, faultFromJson, FaultQueue, type Fault, type FaultKind, type FaultMatch } from './faults';
export {
  longNumericId,
  SandboxState,
  seedVoice,
  type ApiTask,
  type RecordedCallback,
  type RecordedRequest,
  type SandboxTask,
  type TaskStatus,
  type VideoRequestRecord,
  type VoiceEntry,
} from './state';

export interface SandboxOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** If set, API requests must send `Authorization: Bearer <apiKey>` (else 401/1002; missing header → 401/1001). */
  apiKey?: string;
  /** Time from submitted to the terminal status (default 1500). `submitted` for the first third, then `processing`. */
  processingDelayMs?: number;
  /** Default ''. E.g. '/kling' to imitate a proxy. Requests without the prefix → 404. */
  pathPrefix?: string;
  log?: (line: string) => void;
  /** Timeout of the voice_url download, body included (default 10000). */
  downloadTimeoutMs?: number;
  /**
   * Time from the create to the voice_url download (default 0: at once). Kling downloads the sample when it processes
   * the task, which can be well after the create's answer; with a delay longer than processingDelayMs the terminal
   * status waits for the download.
   */
  downloadDelayMs?: number;
  /** Largest accepted pageSize (default 500; the current English doc page says 1000). */
  maxPageSize?: number;
  /** Which external_task_id lookup forms are understood (default 'both'). */
  externalIdLookup?: 'both' | 'query' | 'path-flag' | 'none';
  /** false → `GET …/custom-voices` (list and query-form lookup) answers 404/1203, like proxies that do not route it. */
  listEndpoint?: boolean;
  /** Max tasks in submitted/processing at once; creating another → 429/1303 (default: unlimited). */
  concurrencyLimit?: number;
  /** owned_by of custom voices (default '3817295046'). */
  creatorId?: string;
  /** Serve at most this many items per page, whatever pageSize asks (a server-side cap; pageNum counts these pages). */
  pageSizeCap?: number;
  /** Ignore pageNum: every list request gets page 1 (a server that does not page). */
  ignorePageNum?: boolean;
}

export interface Sandbox {
  /** Base URL including the prefix, e.g. http://127.0.0.1:PORT/kling — append /v1/general/... */
  url: string;
  port: number;
  faults: FaultQueue;
  state: SandboxState;
  /** state.reset() + faults.clear(). */
  reset(): void;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sandbox = new SandboxServer(options);
  await sandbox.listen();
  return sandbox;
}
