import * as vscode from 'vscode';
import { readSettings } from '../config';
import { KeyStore } from '../auth/keyStore';
import { CreateVoiceInput, FetchLike, KlingClient, Voice, VoiceTask } from '../kling';

export interface CreateRunOptions {
  signal?: AbortSignal;
  /** Wait for the task to end (default true). */
  wait?: boolean;
  onSubmitted?: (task: VoiceTask) => void;
  onUpdate?: (task: VoiceTask) => void;
}

/**
 * The one path from VS Code to the Kling API: builds a client from the current settings
 * for every operation, so a changed base URL, timeout or key applies at once.
 */
export class VoiceService {
  constructor(
    private readonly _keys: KeyStore,
    private readonly _log: vscode.LogOutputChannel,
    private readonly _fetch: FetchLike,
  ) {}

  private _client(): KlingClient {
    const s = readSettings();
    return new KlingClient({
      baseUrl: s.apiBaseUrl,
      getApiKey: () => this._keys.get(),
      fetch: this._fetch,
      timeoutMs: s.requestTimeoutMs,
      logger: this._log,
    });
  }

  async createVoice(input: CreateVoiceInput, options: CreateRunOptions = {}): Promise<VoiceTask> {
    const client = this._client();
    const submitted = await client.createVoice(input, {
      signal: options.signal,
      onExternalId: (id) => this._log.info(`create "${input.voiceName}" with external_task_id ${id}`),
    });
    this._log.info(`task ${submitted.taskId} ${submitted.status}`);
    options.onSubmitted?.(submitted);
    if (options.wait === false) {
      return submitted;
    }
    return this.waitForTask(submitted.taskId, options);
  }

  waitForTask(taskId: string, options: Pick<CreateRunOptions, 'signal' | 'onUpdate'> = {}): Promise<VoiceTask> {
    const s = readSettings();
    let lastStatus = '';
    return this._client().waitForTask(taskId, {
      intervalMs: s.pollIntervalMs,
      maxIntervalMs: Math.max(s.pollIntervalMs, 15_000),
      timeoutMs: s.taskTimeoutMs,
      signal: options.signal,
      onUpdate: (t) => {
        if (t.status !== lastStatus) {
          lastStatus = t.status;
          this._log.info(`task ${t.taskId} ${t.status}${t.statusMessage ? `: ${t.statusMessage}` : ''}`);
        }
        options.onUpdate?.(t);
      },
    });
  }

  getTask(taskId: string, signal?: AbortSignal): Promise<VoiceTask> {
    return this._client().getTask(taskId, signal);
  }

  listCustomVoices(signal?: AbortSignal): Promise<VoiceTask[]> {
    return this._client().listCustomVoices(signal);
  }

  listPresetVoices(signal?: AbortSignal): Promise<Voice[]> {
    return this._client().listPresetVoices(signal);
  }

  async deleteVoice(voiceId: string, signal?: AbortSignal): Promise<void> {
    await this._client().deleteVoice(voiceId, signal);
    this._log.info(`deleted voice ${voiceId}`);
  }
}
