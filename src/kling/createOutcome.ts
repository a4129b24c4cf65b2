// What a failed create means: whether it may still have created the task, and the `ambiguous` error that says
// so. Used by KlingClient.createVoice. No `vscode` import.
import * as l10n from '@vscode/l10n';
import { KlingError, isKlingError } from './errors';

/**
 * The last words of an `ambiguous` create error; a caller that guards the retry itself may replace them. A function,
 * not a constant: the words are translated at use, after the host has configured @vscode/l10n.
 */
export function ambiguousRetryAdvice(): string {
  return l10n.t('create the voice again only if it is not there.');
}

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
    const lookup = isKlingError(lookupError) ? lookupError.message.replace(/\.$/, '') : l10n.t('unknown error');
    what = l10n.t(
      'The create request may have been accepted by Kling ({0}), and the task could not be looked up ({1}).',
      reason,
      lookup,
    );
  } else if (why === 'answered') {
    const first = cause.message.split(/\.(?:\s|$)/)[0];
    what = l10n.t(
      'The create request may have been accepted by Kling, but its answer{0} could not be read: {1}. No task with external_task_id {2} was found.',
      cause.status ? ` (HTTP ${cause.status})` : '',
      `${first.charAt(0).toLowerCase()}${first.slice(1)}`,
      externalTaskId,
    );
  } else if (why === 'exists') {
    what = l10n.t(
      'The create request was accepted by Kling on an earlier attempt (it reports that external_task_id {0} already exists), but the task could not be found.',
      externalTaskId,
    );
  } else {
    what = l10n.t(
      'The create request may have been accepted by Kling: it got no answer ({0}), and no task with external_task_id {1} was found yet; Kling may still create it.',
      reason,
      externalTaskId,
    );
  }
  return new KlingError({
    kind: 'ambiguous',
    externalTaskId,
    message: l10n.t(
      "{0} To avoid paying twice, nothing more was sent. In a few minutes, check My Voices or run 'Kling Voice: Check Task…' with external task id {1}; {2}",
      what,
      externalTaskId,
      ambiguousRetryAdvice(),
    ),
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
