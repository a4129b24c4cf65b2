import * as l10n from '@vscode/l10n';
import { KlingError, isRetryableCode, isRetryableStatus, messageForCode } from './errors';
import { cut, redactSecrets, redactSecretsDeep } from './redact';
import type { TaskStatus, Voice, VoiceTask } from './types';

/** The successful part of a Kling envelope. */
export interface Envelope {
  data: unknown;
  requestId?: string;
  /** The HTTP status of the answer (a success envelope: below 400). */
  httpStatus?: number;
}

/** What a task read from an answer keeps of that answer when it failed (see VoiceTask.requestId). */
export type AnswerFacts = Pick<Envelope, 'requestId' | 'httpStatus'>;

const ID_FIELDS = ['task_id', 'voice_id', 'request_id', 'owned_by', 'external_task_id', 'video_id', 'id'];
const ID_NUMBER_RE = new RegExp(`("(?:${ID_FIELDS.join('|')})"\\s*:\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)`, 'g');

/**
 * JSON.parse, but with id fields sent as bare numbers turned into strings first.
 * Kling ids exceed 2^53, so parsing them as numbers would silently change them.
 */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(ID_NUMBER_RE, '$1"$2"'));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) {
    return v;
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) {
    return Number(v.trim());
  }
  return undefined;
}

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    return String(v);
  }
  return undefined;
}

/** A short, single-line excerpt of a body for an error message. `text` must be redacted already. */
function snippet(text: string): string {
  return cut(
    text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
    160,
  );
}

/** The longest server message copied into an error (it ends up in notifications, the history and the trees). */
const MAX_SERVER_MESSAGE = 300;

/** Finds a Kling error nested by a proxy, e.g. CometAPI's `{message, data: {data: {code, message, request_id}}}`. */
function findNestedError(obj: Record<string, unknown>, depth = 0): Record<string, unknown> | undefined {
  if (depth > 4) {
    return undefined;
  }
  for (const key of ['data', 'error']) {
    const inner = obj[key];
    if (isObject(inner)) {
      if (asInt(inner.code) !== undefined && asInt(inner.code) !== 0) {
        return inner;
      }
      const deeper = findNestedError(inner, depth + 1);
      if (deeper) {
        return deeper;
      }
    }
  }
  return undefined;
}

/**
 * Reads one HTTP response into the envelope's `data`, or throws a KlingError that says what happened.
 * Handles: the Kling envelope; errors with no `data`; proxies' nested errors; gateway HTML; non-JSON bodies;
 * a 200 that carries no envelope at all (some proxy docs show the request echoed back).
 * `secrets` (the API key, upload secrets) are removed, with any `Bearer …`/`Authorization: …` token, from every
 * piece of the body that goes into the error, before it is cut short; and from every string of a successful `data`.
 */
export function parseEnvelope(status: number, text: string, secrets: readonly string[] = []): Envelope {
  let body: unknown;
  try {
    body = text.trim() ? parseJsonKeepingIds(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!isObject(body)) {
    return failNotJson(status, text, secrets);
  }
  // A success can echo a secret as well as an error ("quota exceeded for key sk-…" in task_status_msg, a voice name,
  // a URL, a request id): every string of the answer loses the secrets here, before anything reads, logs, stores or
  // shows it. (After parsing: JSON escapes such as \u002d would hide a secret from a search of the raw text.)
  redactSecretsDeep(body, secrets);

  const topCode = asInt(body.code);
  const requestId = asString(body.request_id);
  if (topCode === undefined || topCode !== 0) {
    return failErrorEnvelope(status, body, topCode, requestId, secrets);
  }
  if (status >= 400) {
    return fail({
      kind: 'http',
      status,
      requestId,
      retryable: isRetryableStatus(status),
      message: l10n.t('The server answered HTTP {0} with a success code. Try again later.', status),
    });
  }
  return { data: body.data, requestId, httpStatus: status };
}

/** An answer that is not a JSON object: an HTTP error when the status says so, else an unreadable answer. */
function failNotJson(status: number, text: string, secrets: readonly string[]): never {
  const looksHtml = /^\s*</.test(text);
  const what = looksHtml
    ? l10n.t('an HTML page')
    : text.trim()
      ? l10n.t('a response that is not JSON')
      : l10n.t('an empty response');
  if (status >= 400) {
    const excerpt = text.trim() ? ` ("${snippet(redactSecrets(text, secrets))}")` : '';
    const advice = isRetryableStatus(status)
      ? l10n.t('The gateway may be busy; try again shortly.')
      : l10n.t('Check klingVoice.apiBaseUrl.');
    return fail({
      kind: 'http',
      status,
      retryable: isRetryableStatus(status),
      message: `${l10n.t('The server answered HTTP {0} with {1}{2}.', status, what, excerpt)} ${advice}`,
    });
  }
  return fail({
    kind: 'badResponse',
    status,
    message: l10n.t(
      'The server answered with {0} instead of a Kling response. Check that klingVoice.apiBaseUrl points at a Kling API or proxy.',
      what,
    ),
  });
}

/**
 * A JSON answer whose top-level code is missing or not 0: a Kling error (its code, perhaps nested by a proxy), an
 * HTTP error without a code, or, on a 2xx without a code, an answer that is no Kling envelope.
 */
function failErrorEnvelope(
  status: number,
  body: Record<string, unknown>,
  topCode: number | undefined,
  requestId: string | undefined,
  secrets: readonly string[],
): never {
  const nested = topCode === undefined ? findNestedError(body) : undefined;
  const source = nested ?? body;
  const code = asInt(source.code);
  const rawMessage = asString(source.message) ?? asString(body.message) ?? asString(body.error);
  const serverMessage =
    rawMessage === undefined ? undefined : cut(redactSecrets(rawMessage, secrets), MAX_SERVER_MESSAGE);
  const rid = asString(source.request_id) ?? requestId;
  if (code !== undefined) {
    return fail({
      kind: 'api',
      status,
      code,
      requestId: rid,
      serverMessage,
      retryable: isRetryableCode(code) || (status >= 500 && isRetryableStatus(status)),
      message: messageForCode(code, status, serverMessage),
    });
  }
  if (status >= 400) {
    return fail({
      kind: 'http',
      status,
      requestId: rid,
      serverMessage,
      retryable: isRetryableStatus(status),
      message: `${l10n.t('The server answered HTTP {0}{1}.', status, serverMessage ? `: ${serverMessage}` : '')} ${httpAdvice(status)}`,
    });
  }
  return fail({
    kind: 'badResponse',
    status,
    message: l10n.t(
      'The server answered without a Kling envelope (no "code"; it may have echoed the request). Check that klingVoice.apiBaseUrl points at a Kling API or proxy.',
    ),
  });
}

/** What to do after an HTTP error status without a Kling code. */
function httpAdvice(status: number): string {
  if (status === 401 || status === 403) {
    return l10n.t("Check the API key ('Kling Voice: Set API Key') and klingVoice.apiBaseUrl.");
  }
  if (status === 404) {
    return l10n.t('Check klingVoice.apiBaseUrl; the service may not offer this endpoint.');
  }
  return isRetryableStatus(status) ? l10n.t('Try again shortly.') : l10n.t('Check klingVoice.apiBaseUrl.');
}

function fail(init: ConstructorParameters<typeof KlingError>[0]): never {
  throw new KlingError(init);
}

const STATUSES: Record<string, TaskStatus> = {
  submitted: 'submitted',
  processing: 'processing',
  succeed: 'succeed',
  succeeded: 'succeed', // new-standard spelling, accepted defensively
  failed: 'failed',
};

function badShape(what: string, requestId?: string): KlingError {
  return new KlingError({
    kind: 'badResponse',
    requestId,
    message: l10n.t(
      "The server's response is missing {0}. Check klingVoice.apiBaseUrl; if it is right, the service may have changed.",
      what,
    ),
  });
}

/** Parses one voice entry; returns undefined for an entry without a usable id. */
export function parseVoice(raw: unknown): Voice | undefined {
  if (!isObject(raw)) {
    return undefined;
  }
  const voiceId = asString(raw.voice_id);
  if (!voiceId) {
    return undefined;
  }
  const voice: Voice = { voiceId, voiceName: asString(raw.voice_name) ?? '' };
  const trial = asString(raw.trial_url);
  if (trial) {
    voice.trialUrl = trial;
  }
  const owner = asString(raw.owned_by);
  if (owner) {
    voice.ownedBy = owner;
  }
  return voice;
}

/** Parses a task object (create, get, list and presets all use this shape). */
export function parseTask(raw: unknown, answer: AnswerFacts = {}): VoiceTask {
  const { requestId } = answer;
  if (!isObject(raw)) {
    throw badShape(l10n.t('the task data'), requestId);
  }
  const taskId = asString(raw.task_id);
  if (!taskId) {
    throw badShape(l10n.t('a task id'), requestId);
  }
  const rawStatus = asString(raw.task_status)?.toLowerCase();
  const status = rawStatus ? STATUSES[rawStatus] : undefined;
  if (!status) {
    throw new KlingError({
      kind: 'badResponse',
      requestId,
      taskId,
      message: l10n.t('Task {0} has an unknown status "{1}".', taskId, cut(redactSecrets(rawStatus ?? ''), 40)),
    });
  }
  const task: VoiceTask = { taskId, status, voices: [] };
  const msg = asString(raw.task_status_msg);
  if (msg) {
    task.statusMessage = redactSecrets(msg);
  }
  const info = raw.task_info;
  if (isObject(info)) {
    const ext = asString(info.external_task_id);
    if (ext) {
      task.externalTaskId = ext;
    }
  }
  const result = raw.task_result;
  if (isObject(result) && Array.isArray(result.voices)) {
    for (const v of result.voices) {
      const voice = parseVoice(v);
      if (voice) {
        task.voices.push(voice);
      }
    }
  }
  const created = asInt(raw.created_at);
  if (created !== undefined) {
    task.createdAt = created;
  }
  const updated = asInt(raw.updated_at);
  if (updated !== undefined) {
    task.updatedAt = updated;
  }
  const units = asString(raw.final_unit_deduction);
  if (units) {
    task.unitDeduction = units;
  }
  // A failed task comes in a success envelope (code 0): the answer's request id and status are what support asks for.
  if (status === 'failed') {
    if (requestId) {
      task.requestId = requestId;
    }
    if (answer.httpStatus !== undefined) {
      task.httpStatus = answer.httpStatus;
    }
  }
  return task;
}

/** Parses a list page: `data` must be an array. Malformed entries are skipped, not fatal. */
export function parseTaskList(
  data: unknown,
  answer: AnswerFacts = {},
): { tasks: VoiceTask[]; skipped: number; size: number } {
  if (!Array.isArray(data)) {
    throw badShape(l10n.t('the list of tasks'), answer.requestId);
  }
  const tasks: VoiceTask[] = [];
  let skipped = 0;
  for (const item of data) {
    try {
      tasks.push(parseTask(item, answer));
    } catch {
      skipped++;
    }
  }
  return { tasks, skipped, size: data.length };
}
