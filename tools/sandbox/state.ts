/** The sandbox's account: its task and request records, the preset voices, and seeding helpers. */
import type * as http from 'node:http';
import { randomInt } from 'node:crypto';
import type { FaultKind } from './faults';
import type { Sandbox } from './index';

export type TaskStatus = 'submitted' | 'processing' | 'succeed' | 'failed';

export interface VoiceEntry {
  voice_id: string;
  voice_name: string;
  trial_url: string;
  owned_by: string;
}

/** The task object exactly as the API returns it. */
export interface ApiTask {
  task_id: string;
  task_status: TaskStatus;
  task_status_msg: string;
  task_info?: { external_task_id: string };
  task_result: { voices?: VoiceEntry[] };
  final_unit_deduction?: string;
  created_at: number;
  updated_at: number;
}

/** Internal record of one custom-voice task. */
export interface SandboxTask {
  taskId: string;
  externalTaskId: string;
  voiceName: string;
  voiceUrl?: string;
  videoId?: string;
  callbackUrl?: string;
  status: TaskStatus;
  statusMsg: string;
  createdAt: number;
  updatedAt: number;
  /** Set once the task succeeded. */
  voice?: VoiceEntry;
  deleted: boolean;
  deletedAt?: number;
  /** Every status the task went through, in order. */
  history: { status: TaskStatus; at: number }[];
}

export interface RecordedRequest {
  time: number;
  method: string;
  /** Full path as received (prefix included), without the query string. */
  path: string;
  query: Record<string, string>;
  /** Node's lower-cased headers; `authorization` is kept. */
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, the raw text if it was not JSON, undefined if empty. */
  body: unknown;
  rawBody: string;
  /** HTTP status sent; 0 if the socket was destroyed without a response (or not answered yet). */
  status: number;
  /** The `request_id` of the JSON answer sent, when it had one (what a client's diagnostics should quote). */
  requestId?: string;
  fault?: FaultKind;
}

/** A request to a video endpoint that the sandbox accepted (see videoRoutes.ts); no video is made. */
export interface VideoRequestRecord {
  path: string;
  taskId: string;
  voiceIds: string[];
  body: Record<string, unknown>;
}

export interface RecordedCallback {
  time: number;
  url: string;
  taskId: string;
  taskStatus: TaskStatus;
  payload: ApiTask;
  /** HTTP status of the receiver, if it answered. */
  status?: number;
  error?: string;
}

/** Inspectable sandbox state. */
export class SandboxState {
  /** Custom-voice tasks by task_id, in creation order. */
  readonly tasks = new Map<string, SandboxTask>();
  /** Every API request (not /__sandbox routes), oldest first. */
  readonly requests: RecordedRequest[] = [];
  /** Every callback delivery attempt. */
  readonly callbacks: RecordedCallback[] = [];
  /** Video requests accepted (text2video, image2video, new standard, elements), oldest first. */
  readonly videoRequests: VideoRequestRecord[] = [];
  /** The preset voices (as listed by presets-voices). */
  readonly presets: readonly ApiTask[];

  constructor(presets: readonly ApiTask[]) {
    this.presets = presets;
  }

  /** Live (succeeded, not deleted) custom voices, oldest first. */
  get voices(): VoiceEntry[] {
    const out: VoiceEntry[] = [];
    for (const t of this.tasks.values()) {
      if (t.voice && !t.deleted) {
        out.push(t.voice);
      }
    }
    return out;
  }

  findTask(taskId: string): SandboxTask | undefined {
    return this.tasks.get(taskId);
  }

  findTaskByExternalId(externalTaskId: string): SandboxTask | undefined {
    if (!externalTaskId) {
      return undefined;
    }
    for (const t of this.tasks.values()) {
      if (t.externalTaskId === externalTaskId) {
        return t;
      }
    }
    return undefined;
  }

  /** The task whose live voice has this id. */
  findTaskByVoiceId(voiceId: string): SandboxTask | undefined {
    for (const t of this.tasks.values()) {
      if (t.voice?.voice_id === voiceId && !t.deleted) {
        return t;
      }
    }
    return undefined;
  }

  /** Forget tasks, requests and callbacks (presets stay). In-flight processing of forgotten tasks is ignored. */
  reset(): void {
    this.tasks.clear();
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.videoRequests.length = 0;
  }
}

const UNIT_DEDUCTION = '0.05';

/** A task as the API shows it: task_result and final_unit_deduction only once it succeeded. */
export function taskToApi(t: SandboxTask): ApiTask {
  const out: ApiTask = {
    task_id: t.taskId,
    task_status: t.status,
    task_status_msg: t.statusMsg,
    task_info: { external_task_id: t.externalTaskId },
    task_result: t.status === 'succeed' && t.voice ? { voices: [{ ...t.voice }] } : {},
    ...(t.status === 'succeed' ? { final_unit_deduction: UNIT_DEDUCTION } : {}),
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
  return out;
}

const PRESET_DEFS: readonly [taskId: string, voiceId: string, name: string][] = [
  ['829301554810966017', '829301554810966001', 'Warm Narrator'],
  ['829301554810966018', '829301554810966002', 'Bright Presenter'],
  ['829301554810966019', '829301554810966003', 'Calm Storyteller'],
  ['829301554810966020', '829301554810966004', 'Energetic Host'],
  ['829301554810966021', '829301554810966005', 'Gentle Whisper'],
  ['829301554810966022', '829301554810966006', 'Deep Documentary'],
  ['829301554810966023', '829301554810966007', 'Friendly Teacher'],
];
const PRESET_TIME = 1758067200000; // 2025-09-17T00:00:00Z

/** The preset voices (owned_by "kling"); their trial_url is filled in once the sandbox knows its port. */
export function presetTasks(): ApiTask[] {
  return PRESET_DEFS.map(([taskId, voiceId, name]) => ({
    task_id: taskId,
    task_status: 'succeed',
    task_status_msg: '',
    task_result: { voices: [{ voice_id: voiceId, voice_name: name, trial_url: '', owned_by: 'kling' }] },
    created_at: PRESET_TIME,
    updated_at: PRESET_TIME,
  }));
}

const usedIds = new Set<string>();

/** An 18-digit numeric id as a string (always > 2^53, never a JSON number). */
export function longNumericId(): string {
  for (;;) {
    const id = String(randomInt(100_000_000, 1_000_000_000)) + String(randomInt(0, 1_000_000_000)).padStart(9, '0');
    if (!usedIds.has(id)) {
      usedIds.add(id);
      return id;
    }
  }
}

/** Adds a finished voice task straight into a sandbox's account, as if created earlier (for tests and demos). */
export function seedVoice(sb: Sandbox, name: string, at = Date.now()): { taskId: string; voiceId: string } {
  const taskId = longNumericId();
  const voiceId = longNumericId();
  sb.state.tasks.set(taskId, {
    taskId,
    externalTaskId: '',
    voiceName: name,
    videoId: '123456',
    status: 'succeed',
    statusMsg: '',
    createdAt: at,
    updatedAt: at,
    voice: {
      voice_id: voiceId,
      voice_name: name,
      trial_url: `${sb.url}/__sandbox/trial/${voiceId}.wav`,
      owned_by: '3817295046',
    },
    deleted: false,
    history: [{ status: 'succeed', at }],
  });
  return { taskId, voiceId };
}
