import * as l10n from '@vscode/l10n';

/**
 * What went wrong, in a form the UI can act on:
 * - `api`: the service answered with a Kling error code;
 * - `http`: an HTTP error without a Kling envelope (gateway pages, proxy errors);
 * - `network`: no answer (DNS, reset, refused);
 * - `timeout`: no answer within the request timeout;
 * - `badResponse`: an answer we cannot read (HTML on 200, an echo of the request, a missing field);
 * - `invalidInput`: rejected locally, nothing was sent;
 * - `noApiKey`: no key is stored;
 * - `taskTimeout`: the task did not finish within the task timeout (it may still finish later);
 * - `cancelled`: the user cancelled;
 * - `ambiguous`: a create may or may not have reached the service and could not be checked.
 */
export type KlingErrorKind =
  | 'api'
  | 'http'
  | 'network'
  | 'timeout'
  | 'badResponse'
  | 'invalidInput'
  | 'noApiKey'
  | 'taskTimeout'
  | 'cancelled'
  | 'ambiguous';

export interface KlingErrorInit {
  kind: KlingErrorKind;
  message: string;
  status?: number;
  code?: number;
  requestId?: string;
  retryable?: boolean;
  taskId?: string;
  /** The external_task_id of a create whose outcome is unknown (`ambiguous`). */
  externalTaskId?: string;
  /** The server's own message, when it sent one (secrets removed, at most 300 characters). */
  serverMessage?: string;
  cause?: unknown;
}

/** The one error type the client throws. `message` is written for the user and says what to do next. */
export class KlingError extends Error {
  readonly kind: KlingErrorKind;
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** Kling error code, when the body had one. */
  readonly code?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly taskId?: string;
  readonly externalTaskId?: string;
  readonly serverMessage?: string;

  constructor(init: KlingErrorInit) {
    super(init.message);
    this.name = 'KlingError';
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? false;
    this.taskId = init.taskId;
    this.externalTaskId = init.externalTaskId;
    this.serverMessage = init.serverMessage;
    if (init.cause !== undefined) {
      (this as { cause?: unknown }).cause = init.cause;
    }
  }
}

export function isKlingError(e: unknown): e is KlingError {
  return e instanceof KlingError;
}

/**
 * Whether a failed create may still have created the task: anything but a definite refusal (invalid input,
 * no key, an HTTP 4xx, or a Kling code below 5000 — authentication, balance, parameters, rate limits — which
 * creates nothing).
 */
export function mayHaveCreated(e: unknown): boolean {
  if (!isKlingError(e)) {
    return true;
  }
  switch (e.kind) {
    case 'invalidInput':
    case 'noApiKey':
      return false;
    case 'api':
      return (e.code ?? 0) >= 5000 || (e.status ?? 0) >= 500;
    case 'http':
      return !((e.status ?? 0) >= 400 && (e.status ?? 0) < 500);
    default:
      return true;
  }
}

/**
 * True when the service says the endpoint is not there: HTTP 404, or Kling's 1202 (method not supported) or
 * 1203 (resource does not exist). Proxies route only some endpoints: none we know of documents the list of custom
 * voices, so the UI treats such an answer to the list as "this service has no voice list".
 */
export function isMissingEndpoint(e: unknown): boolean {
  return isKlingError(e) && (e.status === 404 || e.code === 1202 || e.code === 1203);
}

/** Kling's "too many tasks running for this account / resource pack" (HTTP 429, code 1303). */
export function isConcurrencyLimit(e: unknown): boolean {
  return isKlingError(e) && e.code === 1303;
}

/**
 * Kling documents no code for "the account has as many custom voices as it may" (kling-api.md §4; its docs only say
 * to delete voices no longer used). Other services answer `voice_limit_reached (10/10)`. So a refusal counts as the
 * voice limit only by its text, matched conservatively, and never for the codes that mean something else (balance,
 * rate, concurrency, IP whitelist).
 */
const VOICE_LIMIT_TEXT =
  /voice[_ ]limit|too many (custom |cloned )?voices|(custom|cloned) voices? (quota|limit)|(maximum|max) (number of )?(custom |cloned )?voices|voices? (count|number) (has )?(reached|exceed)/i;

/** What a create refused for the voice limit says (a function: translated when called, after l10n.config). */
export function voiceLimitMessage(): string {
  return l10n.t(
    'Your account has reached its custom voice limit: delete a voice you no longer use (Delete Voice…), then create this one again.',
  );
}

/** A create refused because the account holds as many custom voices as it may (see VOICE_LIMIT_TEXT). */
export function isVoiceLimit(e: unknown): boolean {
  return (
    isKlingError(e) &&
    e.kind === 'api' &&
    ![1102, 1302, 1303, 1304].includes(e.code ?? -1) &&
    VOICE_LIMIT_TEXT.test(e.message)
  );
}

/** The service asks for fewer requests: HTTP 429 or code 1302 (request rate too high). */
export function isRateLimited(e: unknown): boolean {
  return isKlingError(e) && (e.status === 429 || e.code === 1302);
}

/**
 * Whether a new API key would help: no key is stored, or Kling refused the key (1000–1002: authentication failed,
 * header empty or invalid; 1003/1004: token not valid yet or expired).
 */
export function needsApiKey(e: unknown): boolean {
  return (
    isKlingError(e) &&
    (e.kind === 'noApiKey' || (e.kind === 'api' && [1000, 1001, 1002, 1003, 1004].includes(e.code ?? -1)))
  );
}

/**
 * Kling itself says it does not know the task: code 1201 (invalid parameter value; its message names the id it
 * does not know) or 1203 (requested resource does not exist). Only an explicit Kling code counts, because the caller acts on it for good:
 * resuming marks the task lost in the history. A bare HTTP 400/404 without a Kling code may come from a proxy
 * that does not route the endpoint at all, and must not make running tasks disappear.
 */
export function isTaskUnknown(e: unknown): e is KlingError {
  return isKlingError(e) && e.kind === 'api' && (e.code === 1201 || e.code === 1203);
}

/**
 * isTaskUnknown, or a bare HTTP 400/404 without a Kling code (a proxy that does not know the id or does not route
 * the path). For callers whose next step is only another lookup, never a change to the history: Check Task then
 * tries the id as an external_task_id, and reports the first error when that finds nothing.
 */
export function isTaskUnknownOrNotRouted(e: unknown): boolean {
  return isTaskUnknown(e) || (isKlingError(e) && e.kind === 'http' && (e.status === 400 || e.status === 404));
}

/** Codes that mean "try again later" (rate limit, concurrency, server trouble). Never 1102 or 1304. */
const RETRYABLE_CODES = new Set([1302, 1303, 5000, 5001, 5002]);
/** Gateway statuses worth retrying when no Kling code came back. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

export function isRetryableCode(code: number): boolean {
  return RETRYABLE_CODES.has(code);
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

function describe(status: number | undefined, code: number | undefined): string {
  const parts: string[] = [];
  if (status !== undefined) {
    parts.push(`HTTP ${status}`);
  }
  if (code !== undefined) {
    parts.push(l10n.t('code {0}', code));
  }
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/**
 * A sentence for a Kling error code, with what the user should do. Worded through @vscode/l10n: this folder stays
 * free of `vscode`, and the extension host configures that small translation function with VS Code's bundle.
 */
export function messageForCode(code: number, status: number | undefined, serverMessage: string | undefined): string {
  const d = describe(status, code);
  const detail = serverMessage ? `: ${serverMessage}` : '';
  switch (code) {
    case 1000:
    case 1001:
    case 1002:
      return l10n.t(
        "The API key was rejected{0}. Run 'Kling Voice: Set API Key' with a valid key for the configured service (klingVoice.apiBaseUrl).",
        d,
      );
    case 1003:
    case 1004:
      return l10n.t(
        "The API token is not valid yet or has expired{0}. Set a fresh key with 'Kling Voice: Set API Key'.",
        d,
      );
    case 1100:
      return l10n.t(
        'Kling reports a problem with the account{0}{1}. Check the account in the Kling console.',
        d,
        detail,
      );
    case 1101:
      return l10n.t('The account is in arrears{0}. Top up the account, then try again.', d);
    case 1102:
      return l10n.t(
        'The resource pack is used up or expired{0}{1}. Buy or renew a resource pack, then try again.',
        d,
        detail,
      );
    case 1103:
      return l10n.t("This key has no permission for custom voices{0}. Check the key's permissions in the console.", d);
    case 1200:
    case 1201:
      return l10n.t(
        'Kling rejected the request{0}{1}. Correct the input and try again.',
        d,
        detail || l10n.t(': invalid parameters'),
      );
    case 1202:
    case 1203:
      return l10n.t(
        'The service does not offer this endpoint{0}{1}. Check klingVoice.apiBaseUrl; your proxy may not support it.',
        d,
        detail,
      );
    case 1300:
    case 1301:
      return l10n.t("The content was blocked by Kling's content policy{0}{1}. Use a different sample.", d, detail);
    case 1302:
      return l10n.t('Too many requests{0}. Wait a moment and try again.', d);
    case 1303:
      return l10n.t(
        'Too many tasks are running for this account{0}. Wait for a running task to finish and try again.',
        d,
      );
    case 1304:
      return l10n.t(
        "The request came from an IP address that the account's whitelist does not allow{0}. Update the whitelist in the console.",
        d,
      );
    case 5000:
    case 5001:
    case 5002:
      return l10n.t('The Kling service had a problem{0}{1}. Try again in a few minutes.', d, detail);
    default:
      return l10n.t('The service returned an error{0}{1}.', d, detail);
  }
}

/** The message of an error, or the thrown value as text. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
