// The one thing the host reads back from a Create Voice page's saved state (a form tab or view restored after a
// reload): the task it was following.

const MAX_TASK_ID = 256;

/** Reads the task id the page saved with setState (untrusted: it comes from the webview). */
export function taskIdFromSavedState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) {
    return undefined;
  }
  const id = (state as { taskId?: unknown }).taskId;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_TASK_ID && /^\S+$/.test(id) ? id : undefined;
}
