// #klingCheckSample: the numbers, the verdict and the suggested window of a sample, exactly as the Create Voice form
// and the trimmer see them (fromFile/inspect.ts). Read-only: nothing leaves the machine.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { urlExtensionWarning, validateHttpUrl } from '../kling';
import { fileView, inspectFile, releaseKept } from '../fromFile/inspect';
import { jsonResult, refusal, shownPath, workspaceFile, type ToolDeps } from './common';

export interface CheckSampleInput {
  file?: string;
  url?: string;
}

/** The check of a workspace file: what the form shows of it, plus the window the trimmer would suggest. */
export async function checkWorkspaceFile(file: string): Promise<object> {
  const uri = await workspaceFile(file);
  if (typeof uri === 'string') {
    return refusal(uri);
  }
  // `keep` makes the worker search the suggested window as the trimmer would; the decoded audio is let go at once.
  const inspected = await inspectFile(uri, { keep: true });
  const view = fileView(inspected, shownPath(uri));
  const audio = typeof inspected === 'string' ? undefined : inspected.audio;
  releaseKept(audio);
  const window = audio && view.trimmable ? audio.suggested : undefined;
  const verdict = view.usable ? 'usable' : window ? 'refused as it is; the suggested window can be sent' : 'refused';
  return {
    ok: true,
    sample: shownPath(uri),
    verdict,
    usable: view.usable,
    format: view.format,
    durationSec: round(view.durationSec),
    channels: view.channels,
    sampleRate: view.sampleRate,
    sizeBytes: view.sizeBytes,
    quality: view.quality && Object.fromEntries(Object.entries(view.quality).map(([k, v]) => [k, round(v)])),
    problems: view.problems,
    warnings: view.warnings,
    suggestedWindow: window && {
      startSec: round(window.startSec),
      endSec: round(window.endSec),
      speechShare: round(window.activeShare),
    },
    next: view.usable
      ? l10n.t('The file can be sent as it is: create the voice from it.')
      : window
        ? l10n.t(
            'Creating a voice from this file sends the suggested window (trimmed to mono 16-bit WAV); the file itself is not changed.',
          )
        : l10n.t('This file cannot be used: record or export 5–30 s of one person speaking, then check it again.'),
  };
}

/** A URL is checked as the form checks it: Kling downloads and measures the audio only when the voice is created. */
export function checkUrl(url: string): object {
  const problem = validateHttpUrl(url, l10n.t('sample URL'));
  const warning = problem ? undefined : urlExtensionWarning(url);
  return {
    ok: true,
    sample: url,
    verdict: problem ? 'refused' : 'the URL is acceptable; Kling checks the audio itself when the voice is created',
    usable: !problem,
    problems: problem ? [problem] : [],
    warnings: warning ? [warning] : [],
    next: problem
      ? l10n.t('Give a public https URL of a 5–30 s sample, or a workspace file (which can be measured here).')
      : l10n.t(
          'Kling downloads the URL when the voice is created; it must be 5–30 s of one speaker. A copy in the workspace can be measured with this tool.',
        ),
  };
}

/** A non-empty string argument, or undefined (models send anything). */
export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function round(v: number | undefined): number | undefined {
  return v === undefined || !Number.isFinite(v) ? v : Math.round(v * 100) / 100;
}

export function checkSampleTool(deps: ToolDeps): vscode.LanguageModelTool<CheckSampleInput> {
  return {
    prepareInvocation: ({ input }) => ({
      invocationMessage: l10n.t('Checking the voice sample {0}', input.file ?? input.url ?? ''),
    }),
    invoke: async ({ input }) => {
      const file = text(input?.file);
      const url = text(input?.url);
      if (file && !url) {
        return jsonResult(deps, await checkWorkspaceFile(file));
      }
      if (url && !file) {
        return jsonResult(deps, checkUrl(url));
      }
      return jsonResult(deps, refusal(l10n.t('Give one sample: file (a path in the workspace) or url.')));
    },
  };
}
