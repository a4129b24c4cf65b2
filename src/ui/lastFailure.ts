import type { FailureReportInput } from '../shared/failureReport';

/** A failure as its notification's Copy Diagnostics copies it: what failed and the details the report reads. */
export interface ShownFailure {
  what: string;
  details: Pick<FailureReportInput, 'error' | 'task' | 'sample'>;
}

let last: ShownFailure | undefined;

/** Remembers the failure a notification with Copy Diagnostics shows now (the newest one wins). */
export function rememberFailure(failure: ShownFailure): void {
  last = failure;
}

/** The last failure shown with Copy Diagnostics in this window, if any. */
export function lastFailure(): ShownFailure | undefined {
  return last;
}
