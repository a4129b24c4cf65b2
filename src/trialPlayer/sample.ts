import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { MAX_FILE_BYTES } from '../audio/rules';
import { errorText } from '../kling';
import { formatSize } from '../shared/format';
import type { PlayerSample } from '../shared/protocol/trialPlayer';
import { sampleMime, samplePlan, type SampleOrigin, type SamplePlan } from './samplePlan';

/**
 * The page's sample of a voice (see samplePlan): a link as it is, or the reason there is none, at once; a local file is
 * `loading` until `read` has read it, when the tab plays the voice (it may have gone since the voice was created),
 * through vscode.workspace.fs, so a remote window reads it where it is. Loaded on first use (src/lazy.ts): the start
 * of VS Code does not need it.
 *
 * Why bytes and not an asWebviewUri link: the link works only with the file's folder in the page's
 * localResourceRoots, which lets the page load every file in that folder and below it (a sample kept in the home
 * folder or in Downloads would open all of it to the page), and a changed root reloads the reused tab. Bytes give
 * the page this one file and nothing else, as a blob: URL of its own origin (media-src gains only `blob:`). The cost
 * is a copy in memory while the tab shows the voice: a sample file is at most MAX_FILE_BYTES, and usually far less.
 */
export function sampleFor(origin: SampleOrigin, id: number): { now: PlayerSample; read?: Promise<PlayerSample> } {
  const plan = samplePlan(origin);
  switch (plan.kind) {
    case 'none':
      return { now: { kind: 'none', id, reason: plan.reason } };
    case 'url':
      return { now: { kind: 'url', id, url: plan.url, label: plan.label } };
    case 'file':
      return { now: { kind: 'loading', id }, read: readFileSample(plan, id) };
  }
}

/** A local sample: its bytes, or the line that says why not (it has gone, is too large, cannot be read). */
async function readFileSample(plan: Extract<SamplePlan, { kind: 'file' }>, id: number): Promise<PlayerSample> {
  const none = (reason: string): PlayerSample => ({ kind: 'none', id, reason });
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(plan.uri, true);
  } catch {
    return none(l10n.t('Where {0} was on this machine was not recorded, so it cannot be played here.', plan.fileName));
  }
  const where = vscode.workspace.asRelativePath(uri, false);
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    return none(l10n.t('The sample file is no longer there ({0}), so it cannot be played here.', where));
  }
  if (stat.type & vscode.FileType.Directory) {
    return none(l10n.t('The sample file is no longer there ({0}), so it cannot be played here.', where));
  }
  if (stat.size > MAX_FILE_BYTES) {
    return none(
      l10n.t(
        'The sample file {0} is too large to play here ({1}; at most {2}).',
        where,
        formatSize(stat.size),
        formatSize(MAX_FILE_BYTES),
      ),
    );
  }
  try {
    const read = await vscode.workspace.fs.readFile(uri);
    // A plain Uint8Array over the same memory: readFile may give a Node Buffer, whose toJSON would turn it into an
    // object of numbers on its way to the page (only typed arrays travel as bytes).
    const bytes = new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
    return { kind: 'bytes', id, bytes, mime: sampleMime(plan.fileName), label: plan.label, window: plan.window };
  } catch (e) {
    return none(l10n.t('The sample file {0} could not be read: {1}', where, errorText(e)));
  }
}
