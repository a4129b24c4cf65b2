/**
 * When a voice this machine created has "gone" (deleted at Kling or elsewhere, or no longer listed by the account).
 * Decided only from a successful account list: a service without the list endpoint, a list that failed, or one not
 * loaded yet says nothing, so nothing is marked. Preset voices are never gone.
 */

/** A successful account list: the task and voice ids it held, and when (local ms) it was requested. */
export interface AccountSnapshot {
  taskIds: ReadonlySet<string>;
  voiceIds: ReadonlySet<string>;
  requestedAt: number;
}

/** What the rule reads of a history entry. */
export interface GoneCandidate {
  taskId: string;
  status: string;
  voices: readonly { voiceId: string }[];
  /** Local ms of the entry's last write. */
  updatedAt: number;
}

/**
 * True when a succeeded task of ours with a voice is missing from an account list requested after the task had
 * succeeded here (a list requested earlier may simply predate the voice). Presets are never gone.
 */
export function isGoneVoice(
  entry: GoneCandidate,
  account: AccountSnapshot | undefined,
  presetIds: ReadonlySet<string> = new Set(),
): boolean {
  if (!account || entry.status !== 'succeed' || entry.voices.length === 0) {
    return false;
  }
  if (account.taskIds.has(entry.taskId) || entry.updatedAt >= account.requestedAt) {
    return false;
  }
  return entry.voices.every((v) => !account.voiceIds.has(v.voiceId) && !presetIds.has(v.voiceId));
}
