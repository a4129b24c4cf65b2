/** The sandbox's routes: the Kling API (create, query, list, presets, delete) and its own /__sandbox routes. */
import type * as http from 'node:http';
import { faultFromJson, faultToJson, type FaultQueue } from './faults';
import type { SandboxOptions } from './index';
import { fail, json, ok, page, type Paging, type Reply } from './reply';
import { longNumericId, taskToApi, type SandboxState, type SandboxTask } from './state';
import { errorText, isHttpUrl, isPlainObject } from './util';
import { sineWav } from './wav';
import { isVideoPath, videoRoute } from './videoRoutes';

/** What the routes need from the server that runs them. */
export interface RouteHost {
  /** Base URL including the prefix (known once the server listens). */
  readonly url: string;
  readonly state: SandboxState;
  readonly faults: FaultQueue;
  /** state.reset() + faults.clear(). */
  reset(): void;
  /** Start the life of a task just created: its status timers, the voice_url check, its callbacks. */
  process(task: SandboxTask): void;
}

/** The validated fields of a create request. */
interface CreateFields {
  name: string;
  voiceUrl: string;
  videoId: string;
  callbackUrl: string;
  externalTaskId: string;
}

/** The pitch of a voice's trial tone: fixed per voice id, 220-659 Hz. */
function toneFrequency(voiceId: string): number {
  let h = 0;
  for (const ch of voiceId) {
    h = (h * 31 + ch.charCodeAt(0)) % 1000;
  }
  return 220 + (h % 440);
}

export class Routes {
  private readonly externalIdLookup: NonNullable<SandboxOptions['externalIdLookup']>;
  private readonly paging: Paging;

  constructor(
    private readonly host: RouteHost,
    private readonly options: SandboxOptions,
  ) {
    this.externalIdLookup = options.externalIdLookup ?? 'both';
    this.paging = {
      maxPageSize: options.maxPageSize ?? 500,
      pageSizeCap: options.pageSizeCap,
      ignorePageNum: options.ignorePageNum,
    };
  }

  // -- API routes ----------------------------------------------------------------------------------------------

  route(req: http.IncomingMessage, method: string, apiPath: string, query: URLSearchParams, rawBody: string): Reply {
    const refused = this.checkAuth(req);
    if (refused) {
      return refused;
    }
    const base = '/v1/general/custom-voices';
    const wrongMethod = (): Reply => fail(404, 1202, 'invalid request method');
    if (apiPath === base) {
      if (method === 'POST') {
        return this.create(rawBody);
      }
      if (method === 'GET') {
        if (this.options.listEndpoint === false) {
          return fail(404, 1203, 'requested resource does not exist');
        }
        const ext = query.get('external_task_id');
        if (ext && (this.externalIdLookup === 'both' || this.externalIdLookup === 'query')) {
          return this.getByExternalId(ext);
        }
        return this.list(query);
      }
      return wrongMethod();
    }
    if (apiPath.startsWith(base + '/')) {
      let id = '';
      try {
        id = decodeURIComponent(apiPath.slice(base.length + 1));
      } catch {
        return fail(400, 1201, 'task not found');
      }
      if (!id || id.includes('/')) {
        return fail(404, 1203, 'requested resource does not exist');
      }
      if (method !== 'GET') {
        return wrongMethod();
      }
      const flag = query.get('external_task_id');
      if (flag === 'true' && (this.externalIdLookup === 'both' || this.externalIdLookup === 'path-flag')) {
        return this.getByExternalId(id);
      }
      const task = this.state.findTask(id);
      return task ? ok(taskToApi(task)) : fail(400, 1201, 'task not found');
    }
    if (apiPath === '/v1/general/presets-voices') {
      return method === 'GET' ? this.presets(query) : wrongMethod();
    }
    if (apiPath === '/v1/general/delete-voices') {
      return method === 'POST' ? this.deleteVoice(rawBody) : wrongMethod();
    }
    if (isVideoPath(apiPath)) {
      if (method !== 'POST') {
        return wrongMethod();
      }
      const parsed = this.parseJsonObject(rawBody);
      return 'error' in parsed ? parsed.error : videoRoute(this.state, apiPath, parsed.body);
    }
    return fail(404, 1203, 'requested resource does not exist');
  }

  /** With option apiKey: 401/1001 without an Authorization header, 401/1002 with any other than `Bearer <apiKey>`. */
  private checkAuth(req: http.IncomingMessage): Reply | undefined {
    if (this.options.apiKey !== undefined) {
      const header = req.headers.authorization;
      if (!header || !header.trim()) {
        return fail(401, 1001, 'Authorization is empty');
      }
      const m = /^Bearer\s+(.+)$/i.exec(header.trim());
      if (!m || m[1].trim() !== this.options.apiKey) {
        return fail(401, 1002, 'Authorization is invalid');
      }
    }
    return undefined;
  }

  private getByExternalId(externalTaskId: string): Reply {
    const task = this.state.findTaskByExternalId(externalTaskId);
    return task ? ok(taskToApi(task)) : fail(400, 1201, 'task not found');
  }

  private list(query: URLSearchParams): Reply {
    const tasks = [...this.state.tasks.values()].filter((t) => !t.deleted).reverse();
    return page(tasks.map(taskToApi), query, this.paging);
  }

  private presets(query: URLSearchParams): Reply {
    return page(
      this.state.presets.map((p) => structuredClone(p)),
      query,
      this.paging,
    );
  }

  private parseJsonObject(rawBody: string): { body: Record<string, unknown> } | { error: Reply } {
    let body: unknown;
    try {
      body = JSON.parse(rawBody) as unknown;
    } catch {
      return { error: fail(400, 1200, 'invalid request body: not valid JSON') };
    }
    if (!isPlainObject(body)) {
      return { error: fail(400, 1200, 'invalid request body: expected a JSON object') };
    }
    return { body };
  }

  private create(rawBody: string): Reply {
    const parsed = this.parseJsonObject(rawBody);
    if ('error' in parsed) {
      return parsed.error;
    }
    const read = readCreateFields(parsed.body);
    if ('error' in read) {
      return read.error;
    }
    const refused = this.refuseCreate(read.fields);
    if (refused) {
      return refused;
    }
    const task = newTask(read.fields);
    this.state.tasks.set(task.taskId, task);
    this.host.process(task);
    return ok({
      task_id: task.taskId,
      task_info: { external_task_id: task.externalTaskId },
      task_status: task.status,
      created_at: task.createdAt,
      updated_at: task.updatedAt,
    });
  }

  /** The create's checks across fields and against the account: which source, valid URLs, unique id, capacity. */
  private refuseCreate(fields: CreateFields): Reply | undefined {
    const { voiceUrl, videoId, callbackUrl, externalTaskId } = fields;
    if (!voiceUrl && !videoId) {
      return fail(400, 1200, 'one of voice_url or video_id is required');
    }
    if (voiceUrl && videoId) {
      return fail(400, 1200, 'voice_url and video_id cannot both be set');
    }
    if (voiceUrl && !isHttpUrl(voiceUrl)) {
      return fail(400, 1201, 'voice_url must be a public http(s) URL');
    }
    if (videoId && !/^\d.{5,}$/su.test(videoId)) {
      return fail(400, 1201, 'video_id not found');
    }
    if (callbackUrl && !isHttpUrl(callbackUrl)) {
      return fail(400, 1201, 'callback_url must be an http(s) URL');
    }
    if (externalTaskId && this.state.findTaskByExternalId(externalTaskId)) {
      return fail(400, 1201, 'external_task_id already exists');
    }
    const limit = this.options.concurrencyLimit;
    if (limit !== undefined) {
      const running = [...this.state.tasks.values()].filter(
        (t) => t.status === 'submitted' || t.status === 'processing',
      ).length;
      if (running >= limit) {
        return fail(429, 1303, 'parallel task over resource pack limit');
      }
    }
    return undefined;
  }

  private deleteVoice(rawBody: string): Reply {
    const parsed = this.parseJsonObject(rawBody);
    if ('error' in parsed) {
      return parsed.error;
    }
    const body = parsed.body;
    const voiceId = body.voice_id;
    if (voiceId === undefined || voiceId === null || voiceId === '') {
      return fail(400, 1200, 'voice_id is required');
    }
    if (typeof voiceId !== 'string') {
      return fail(400, 1200, 'voice_id must be a string');
    }
    const task = this.state.findTaskByVoiceId(voiceId);
    if (!task) {
      return fail(400, 1201, 'Voice id not found');
    }
    task.deleted = true;
    task.deletedAt = Date.now();
    return ok({ task_id: task.taskId, task_status: 'succeed' });
  }

  // -- admin routes --------------------------------------------------------------------------------------------

  admin(method: string, route: string, raw: Buffer | undefined): Reply {
    const trial = /^\/trial\/([^/]+)\.wav$/.exec(route);
    if (trial) {
      if (method !== 'GET' && method !== 'HEAD') {
        return json(405, { error: 'method not allowed' });
      }
      const voiceId = trial[1];
      const known =
        this.state.findTaskByVoiceId(voiceId) ??
        this.state.presets.find((p) => p.task_result.voices?.some((v) => v.voice_id === voiceId));
      if (!known) {
        return json(404, { error: 'trial audio not found' });
      }
      return { status: 200, contentType: 'audio/wav', body: sineWav(2, { frequency: toneFrequency(voiceId) }) };
    }
    if (route === '/faults') {
      if (method === 'GET') {
        return json(200, { faults: this.host.faults.pending().map(faultToJson) });
      }
      if (method === 'DELETE') {
        this.host.faults.clear();
        return json(200, { ok: true, pending: 0 });
      }
      if (method === 'POST') {
        try {
          this.host.faults.push(faultFromJson(JSON.parse(raw?.toString('utf8') || 'null') as unknown));
        } catch (err) {
          return json(400, { error: errorText(err) });
        }
        return json(200, { ok: true, pending: this.host.faults.size });
      }
    }
    if (route === '/state' && method === 'GET') {
      return json(200, {
        url: this.host.url,
        tasks: [...this.state.tasks.values()].map((t) => ({ ...t, api: taskToApi(t) })),
        voices: this.state.voices,
        presets: this.state.presets.length,
        callbacks: this.state.callbacks,
        requestCount: this.state.requests.length,
        requests: this.state.requests.map((r) => ({
          time: r.time,
          method: r.method,
          path: r.path,
          query: r.query,
          status: r.status,
          fault: r.fault,
        })),
        faults: this.host.faults.pending().map(faultToJson),
      });
    }
    if (route === '/reset' && method === 'POST') {
      this.host.reset();
      return json(200, { ok: true });
    }
    return json(404, { error: 'unknown sandbox admin route' });
  }

  private get state(): SandboxState {
    return this.host.state;
  }
}

/** The create's fields one by one: voice_name present and 1-20 characters, the optional ones strings if given. */
function readCreateFields(body: Record<string, unknown>): { fields: CreateFields } | { error: Reply } {
  const optionalString = (name: string): string | Reply => {
    const v = body[name];
    if (v === undefined || v === null) {
      return '';
    }
    return typeof v === 'string' ? v : fail(400, 1200, `${name} must be a string`);
  };
  const name = body.voice_name;
  if (name === undefined || name === null) {
    return { error: fail(400, 1200, 'voice_name is required') };
  }
  if (typeof name !== 'string') {
    return { error: fail(400, 1200, 'voice_name must be a string') };
  }
  const nameLength = [...name].length;
  if (nameLength < 1 || nameLength > 20) {
    return { error: fail(400, 1201, 'voice_name must be 1-20 characters') };
  }
  const fields: Record<string, string> = {};
  for (const f of ['voice_url', 'video_id', 'callback_url', 'external_task_id']) {
    const v = optionalString(f);
    if (typeof v !== 'string') {
      return { error: v };
    }
    fields[f] = v;
  }
  return {
    fields: {
      name,
      voiceUrl: fields.voice_url,
      videoId: fields.video_id,
      callbackUrl: fields.callback_url,
      externalTaskId: fields.external_task_id,
    },
  };
}

/** A new task in `submitted`, as the create stores it. */
function newTask(fields: CreateFields): SandboxTask {
  const { name, voiceUrl, videoId, callbackUrl, externalTaskId } = fields;
  const now = Date.now();
  return {
    taskId: longNumericId(),
    externalTaskId,
    voiceName: name,
    voiceUrl: voiceUrl || undefined,
    videoId: videoId || undefined,
    callbackUrl: callbackUrl || undefined,
    status: 'submitted',
    statusMsg: '',
    createdAt: now,
    updatedAt: now,
    deleted: false,
    history: [{ status: 'submitted', at: now }],
  };
}
