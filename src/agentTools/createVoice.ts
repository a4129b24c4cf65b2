// #klingCreateVoice: creates a voice through the very path of the UI: a URL or a video id through the palette's
// createWithProgress (VoiceService: same idempotency, history, notification, My Voices), a workspace file through
// the file pipeline (checked, trimmed to the suggested window when too long, uploaded, created).
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { uniqueVoiceNames } from '../audio';
import { CreateVoiceInput, VoiceTask, redactSecrets, validateCreateInput } from '../kling';
import { createVoiceFromFile, takenNames } from '../fromFile/pipeline';
import { baseName, checkFile } from '../fromFile/inspect';
import { createUploadProvider } from '../upload/vscodeUpload';
import { announce, signalFor } from '../ui/notify';
import { createWithProgress, either } from '../ui/createProgress';
import type { ConsentGiven } from '../service/consentGate';
import { consentStatement } from '../shared/consent';
import { safeUrl } from '../history/source';
import { UNTRUSTED_MESSAGE, errorValue, jsonResult, refusal, shownPath, workspaceFile, type ToolDeps } from './common';
import { text } from './checkSample';

export interface CreateVoiceToolInput {
  voiceName?: string;
  file?: string;
  url?: string;
  videoId?: string;
}

/** The speaker's consent the tool's confirmation states: confirming it records it (as the consent modal would). */
/** The consent an agent's confirmed create records (worded in the display language, as the confirmation showed it). */
function agentConsent(): ConsentGiven {
  return { statement: consentStatement(), via: 'agent' };
}

/** What a create will do, worked out the same way by prepareInvocation (to confirm it) and invoke (to do it). */
type Plan =
  | { kind: 'refused'; message: string }
  | { kind: 'remote'; input: CreateVoiceInput; sample: string }
  | { kind: 'file'; uri: vscode.Uri; voiceName: string; sample: string };

export async function planCreate(deps: ToolDeps, raw: CreateVoiceToolInput | undefined): Promise<Plan> {
  const file = text(raw?.file);
  const url = text(raw?.url);
  const videoId = text(raw?.videoId);
  const voiceName = text(raw?.voiceName);
  if ([file, url, videoId].filter(Boolean).length !== 1) {
    return {
      kind: 'refused',
      message: l10n.t('Give exactly one source: file (a path in the workspace), url or videoId.'),
    };
  }
  if (file) {
    const uri = await workspaceFile(file);
    if (typeof uri === 'string') {
      return { kind: 'refused', message: uri };
    }
    const name = voiceName ?? uniqueVoiceNames([baseName(uri)], takenNames(deps.service))[0];
    return { kind: 'file', uri, voiceName: name, sample: shownPath(uri) };
  }
  const input: CreateVoiceInput = url
    ? { voiceName: voiceName ?? '', voiceUrl: url }
    : { voiceName: voiceName ?? '', videoId };
  const { errors } = validateCreateInput(input);
  if (errors.length) {
    return { kind: 'refused', message: errors.map((e) => e.message).join(' ') };
  }
  return { kind: 'remote', input, sample: url ? safeUrl(url) : l10n.t('the earlier Kling video {0}', videoId ?? '') };
}

/** The confirmation of a file create: the file's numbers, what is sent of it, where it goes, and the bill. */
async function fileConfirmation(deps: ToolDeps, plan: Extract<Plan, { kind: 'file' }>): Promise<string> {
  const checked = await checkFile(plan.uri, true, false);
  if (!checked.ok) {
    return l10n.t(
      '{0} is refused: {1} If you continue, nothing is uploaded, created or billed; the agent gets the reason.',
      plan.sample,
      checked.message,
    );
  }
  const f = checked.file;
  const sent = f.trimmed
    ? l10n.t(
        'Its suggested window {0}–{1} s is sent, as mono 16-bit WAV (the file is not changed).',
        f.trimmed.startSec.toFixed(1),
        f.trimmed.endSec.toFixed(1),
      )
    : l10n.t('The file is sent as it is ({0} s).', (f.probe.durationSec ?? 0).toFixed(1));
  let where: string;
  try {
    const provider = await createUploadProvider(deps.context.secrets, deps.log);
    where = provider
      ? l10n.t(
          'It is uploaded to {0} ({1}), and Kling downloads it from there.',
          provider.destination,
          provider.describe(),
        )
      : l10n.t(
          'No upload provider is set (klingVoice.upload.provider), so it cannot be uploaded: the tool stops before sending anything.',
        );
  } catch (e) {
    where = l10n.t(
      'The upload is not set up ({0}): the tool stops before sending anything.',
      e instanceof Error ? e.message : String(e),
    );
  }
  return l10n.t(
    '{0} {1} A recording of someone\'s voice is biometric data: continuing confirms, and records on this machine, "{2}" Creating a voice is billed to your Kling account.',
    sent,
    where,
    agentConsent().statement,
  );
}

export async function prepareCreate(
  deps: ToolDeps,
  input: CreateVoiceToolInput,
): Promise<vscode.PreparedToolInvocation | undefined> {
  if (!deps.isTrusted()) {
    return { invocationMessage: l10n.t('Kling voices cannot be created in an untrusted workspace') };
  }
  const plan = await planCreate(deps, input);
  if (plan.kind === 'refused') {
    return { invocationMessage: l10n.t('Checking the voice request') }; // nothing can be sent: nothing to confirm
  }
  const secrets = [await deps.keys.get()];
  if (plan.kind === 'remote') {
    const name = plan.input.voiceName.trim();
    return {
      invocationMessage: l10n.t('Creating the Kling voice "{0}"', name),
      confirmationMessages: {
        title: l10n.t('Create the Kling voice "{0}"?', name),
        message: redactSecrets(
          l10n.t(
            'Kling clones the voice "{0}" from {1}. Continuing confirms, and records on this machine, "{2}" Creating a voice is billed to your Kling account.',
            name,
            plan.sample,
            agentConsent().statement,
          ),
          secrets,
        ),
      },
    };
  }
  return {
    invocationMessage: l10n.t('Creating the Kling voice "{0}" from {1}', plan.voiceName, plan.sample),
    confirmationMessages: {
      title: l10n.t('Create the Kling voice "{0}" from {1}?', plan.voiceName, plan.sample),
      message: redactSecrets(await fileConfirmation(deps, plan), secrets),
    },
  };
}

function taskValue(task: VoiceTask, sample: string): object {
  const voice = task.voices[0];
  return {
    ok: task.status === 'succeed',
    status: task.status,
    taskId: task.taskId,
    voiceId: voice?.voiceId,
    voiceName: voice?.voiceName,
    trialUrl: voice?.trialUrl,
    statusMessage: task.statusMessage,
    sample,
    next:
      task.status === 'succeed'
        ? l10n.t(
            'The voice is ready and listed in My Voices. Use voiceId in a video request (the insert-request tool writes one).',
          )
        : task.status === 'failed'
          ? l10n.t(
              'Kling refused the sample; statusMessage says why. Fix the sample (5–30 s of one speaker) and create the voice again.',
            )
          : l10n.t('The task is still running; it is followed in VS Code and appears in My Voices when it ends.'),
  };
}

/** A file create under the same notification as the palette's, announced the same way. */
function createFromFile(
  deps: ToolDeps,
  plan: Extract<Plan, { kind: 'file' }>,
  outer: AbortSignal,
): Thenable<VoiceTask> {
  return vscode.window
    .withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: l10n.t('Kling voice "{0}"', plan.voiceName),
        cancellable: true,
      },
      (progress, token) => {
        progress.report({ message: l10n.t('checking and uploading {0}…', plan.sample) });
        return createVoiceFromFile(
          deps,
          plan.uri,
          { voiceName: plan.voiceName },
          // The user confirmed this upload, to this destination, in the tool's confirmation.
          // ... and the speaker's consent, recorded with the statement the confirmation showed.
          { trim: 'suggested', consent: true, speakerConsent: agentConsent(), signal: either(signalFor(token), outer) },
        );
      },
    )
    .then((task) => {
      void announce(task, deps.log, plan.voiceName);
      return task;
    });
}

export async function invokeCreate(
  deps: ToolDeps,
  input: CreateVoiceToolInput,
  token: vscode.CancellationToken,
): Promise<object> {
  if (!deps.isTrusted()) {
    return refusal(UNTRUSTED_MESSAGE());
  }
  const plan = await planCreate(deps, input);
  if (plan.kind === 'refused') {
    return refusal(l10n.t('{0} Nothing was sent.', plan.message));
  }
  try {
    const task =
      plan.kind === 'remote'
        ? await createWithProgress(
            deps.service,
            deps.log,
            plan.input,
            true,
            undefined,
            signalFor(token),
            agentConsent(),
          )
        : await createFromFile(deps, plan, signalFor(token));
    return taskValue(task, plan.sample);
  } catch (e) {
    return { ...errorValue(e), sample: plan.sample };
  }
}

export function createVoiceTool(deps: ToolDeps): vscode.LanguageModelTool<CreateVoiceToolInput> {
  return {
    prepareInvocation: ({ input }) => prepareCreate(deps, input),
    invoke: async ({ input }, token) => jsonResult(deps, await invokeCreate(deps, input, token)),
  };
}
