// What a failed create means: whether it may still have created the task, and the `ambiguous` error that says
// so. Used by KlingClient.createVoice. No `vscode` import.
import { KlingError, isKlingError } from './errors';

/** The last words of an `ambiguous` create error; a caller that guards the retry itself may replace them. */
export const AMBIGUOUS_RETRY_ADVICE = 'create the voice again only if it is not there.';

/** What a create that may or may not have reached Kling ran into. */
export type AmbiguousCase = 'answered' | 'noAnswer' | 'exists';

/**
 * The `ambiguous` error of a create that may have reached Kling: says why the outcome is unknown (`why`, or the
 * failed lookup), that nothing more was sent, and how to check later by the external task id.
 */
export function ambiguousError(
  externalTaskId: string,
  why: AmbiguousCase,
  cause: KlingError,
  lookupError?: unknown,
): KlingError {
  const reason = cause.message.replace(/\.$/, '');
  let what: string;
  if (lookupError !== undefined) {
    const lookup = isKlingError(lookupError) ? lookupError.message.replace(/\.$/, '') : 'unknown error';
    what = `The create request may have been accepted by Kling (${reason}), and the task could not be looked up (${lookup}).`;
  } else if (why === 'answered') {
    const first = cause.message.split(/\.(?:\s|$)/)[0];
    what = `The create request may have been accepted by Kling, but its answer${cause.status ? ` (HTTP ${cause.status})` : ''} could not be read: ${first.charAt(0).toLowerCase()}${first.slice(1)}. No task with external_task_id ${externalTaskId} was found.`;
  } else if (why === 'exists') {
    what = `The create request was accepted by Kling on an earlier attempt (it reports that external_task_id ${externalTaskId} already exists), but the task could not be found.`;
  } else {
    what = `The create request may have been accepted by Kling: it got no answer (${reason}), and no task with external_task_id ${externalTaskId} was found yet; Kling may still create it.`;
  }
  return new KlingError({
    kind: 'ambiguous',
    externalTaskId,
    message: `${what} To avoid paying twice, nothing more was sent. In a few minutes, check My Voices or run 'Kling Voice: Check Task…' with external task id ${externalTaskId}; ${AMBIGUOUS_RETRY_ADVICE}`,
    cause,
  });
}

/** A create answer that arrived but holds no readable task (the task may or may not exist). */
export function answeredUnreadably(e: KlingError): boolean {
  if (e.kind === 'badResponse') {
    return true;
  }
  const status = e.status ?? 0;
  return e.kind === 'api' && status >= 200 && status < 300 && isServerTrouble(e.code);
}

/** No readable answer to a create: it may or may not have been accepted. */
export function gotNoAnswer(e: KlingError): boolean {
  switch (e.kind) {
    case 'timeout':
    case 'network':
      return true;
    case 'http':
      return (e.status ?? 0) >= 500;
    case 'api':
      return isServerTrouble(e.code) || (e.status ?? 0) >= 500;
    default:
      return false;
  }
}

/** Kling's server codes: internal error, unavailable, internal timeout. */
function isServerTrouble(code: number | undefined): boolean {
  return code === 5000 || code === 5001 || code === 5002;
}
