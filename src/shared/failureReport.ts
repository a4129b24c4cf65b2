import { redactSecrets } from '../kling/redact';

/** What a failure's "Copy Diagnostics" knows. Every field is optional but the versions. */
export interface FailureReportInput {
  /** What failed, for the first line: "Create refused", "Task failed", "Upload failed", … */
  what: string;
  /** The error (a KlingError, an UploadError, any Error or value). */
  error?: unknown;
  /**
   * The task, when there is one. A failed task arrives in a success envelope (code 0): its reason is only in
   * statusMessage, and `requestId` / `httpStatus` are those of the answer that reported the failure.
   */
  task?: {
    taskId?: string;
    status?: string;
    statusMessage?: string;
    externalTaskId?: string;
    requestId?: string;
    httpStatus?: number;
  };
  /** The configured base URL: only its host is written. */
  baseUrl?: string;
  extensionVersion: string;
  vscodeVersion: string;
  /** The sample's measured numbers (duration, size, peak, …), as shown to the user. */
  sample?: Record<string, string | number | undefined>;
  /** Secrets that must not appear even if an error quoted them (the key, upload credentials). */
  secrets?: readonly (string | undefined)[];
  now?: Date;
}

function hostOf(baseUrl: string | undefined): string | undefined {
  if (!baseUrl) {
    return undefined;
  }
  try {
    return new URL(baseUrl).host;
  } catch {
    return '(not a valid URL)';
  }
}

function field(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) {
    return undefined;
  }
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/**
 * The text "Copy Diagnostics" puts on the clipboard: everything support asks for (request id, task id, external task
 * id, HTTP status, Kling code, the raw task_status_msg, the service's host, versions, the sample's numbers) and nothing
 * secret: the base URL is reduced to its host, and the whole text goes through redactSecrets (the given secrets, any
 * Bearer/Authorization token, every URL's query string and user info, so presigned links lose their signature).
 */
// Localization: the report stays English on purpose (its heading, field labels and the `what` titles its callers
// pass): it is written for support and issue reports, where the same labels in every language can be read and
// searched. The values keep what the user saw: an error message shown in Chinese is quoted in Chinese.
export function buildFailureReport(input: FailureReportInput): string {
  const e = input.error;
  const rows: [string, string | undefined][] = [
    ['What', input.what],
    ['Time', (input.now ?? new Date()).toISOString()],
    ['Error kind', field(e, 'kind')],
    ['Message', e instanceof Error ? e.message : e === undefined ? undefined : String(e)],
    ['HTTP status', field(e, 'status') ?? field(input.task, 'httpStatus')],
    ['Kling code', field(e, 'code')],
    ['Request id', field(e, 'requestId') ?? field(input.task, 'requestId')],
    ['Server message', field(e, 'serverMessage')],
    ['Retryable', field(e, 'retryable')],
    ['Task id', input.task?.taskId ?? field(e, 'taskId')],
    ['Task status', input.task?.status],
    ['task_status_msg (verbatim)', input.task?.statusMessage],
    ['External task id', input.task?.externalTaskId ?? field(e, 'externalTaskId')],
    ['Service host', hostOf(input.baseUrl)],
    ['Extension version', input.extensionVersion],
    ['VS Code version', input.vscodeVersion],
    ...Object.entries(input.sample ?? {}).map(([k, v]): [string, string | undefined] => [
      `Sample ${k}`,
      v === undefined ? undefined : String(v),
    ]),
  ];
  const text = [
    'Kling Voice diagnostics',
    ...rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}: ${v}`),
  ].join('\n');
  return redactSecrets(text, input.secrets ?? []);
}
