// #klingCreateVoice: creates a voice through the very path of the UI: a URL or a video id through the palette's
// createWithProgress (VoiceService: same idempotency, history, notification, My Voices), a workspace file through
// the file pipeline (checked, trimmed to the suggested window when too long, uploaded, created).
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
const AGENT_CONSENT: ConsentGiven = { statement: consentStatement(), via: 'agent' };

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
    return { kind: 'refused', message: 'Give exactly one source: file (a path in the workspace), url or videoId.' };
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
  return { kind: 'remote', input, sample: url ? safeUrl(url) : `the earlier Kling video ${videoId}` };
}

/** The confirmation of a file create: the file's numbers, what is sent of it, where it goes, and the bill. */
async function fileConfirmation(deps: ToolDeps, plan: Extract<Plan, { kind: 'file' }>): Promise<string> {
  const checked = await checkFile(plan.uri, true, false);
  if (!checked.ok) {
    return `${plan.sample} is refused: ${checked.message} If you continue, nothing is uploaded, created or billed; the agent gets the reason.`;
  }
  const f = checked.file;
  const sent = f.trimmed
    ? `Its suggested window ${f.trimmed.startSec.toFixed(1)}–${f.trimmed.endSec.toFixed(1)} s is sent, as mono 16-bit WAV (the file is not changed).`
    : `The file is sent as it is (${(f.probe.durationSec ?? 0).toFixed(1)} s).`;
  let where: string;
  try {
    const provider = await createUploadProvider(deps.context.secrets, deps.log);
    where = provider
      ? `It is uploaded to ${provider.destination} (${provider.describe()}), and Kling downloads it from there.`
      : 'No upload provider is set (klingVoice.upload.provider), so it cannot be uploaded: the tool stops before sending anything.';
  } catch (e) {
    where = `The upload is not set up (${e instanceof Error ? e.message : String(e)}): the tool stops before sending anything.`;
  }
  return `${sent} ${where} A recording of someone's voice is biometric data: continuing confirms, and records on this machine, "${AGENT_CONSENT.statement}" Creating a voice is billed to your Kling account.`;
}

export async function prepareCreate(
  deps: ToolDeps,
  input: CreateVoiceToolInput,
): Promise<vscode.PreparedToolInvocation | undefined> {
  if (!deps.isTrusted()) {
    return { invocationMessage: 'Kling voices cannot be created in an untrusted workspace' };
  }
  const plan = await planCreate(deps, input);
  if (plan.kind === 'refused') {
    return { invocationMessage: 'Checking the voice request' }; // nothing can be sent: nothing to confirm
  }
  const secrets = [await deps.keys.get()];
  if (plan.kind === 'remote') {
    const name = plan.input.voiceName.trim();
    return {
      invocationMessage: `Creating the Kling voice "${name}"`,
      confirmationMessages: {
        title: `Create the Kling voice "${name}"?`,
        message: redactSecrets(
          `Kling clones the voice "${name}" from ${plan.sample}. Continuing confirms, and records on this machine, "${AGENT_CONSENT.statement}" Creating a voice is billed to your Kling account.`,
          secrets,
        ),
      },
    };
  }
  return {
    invocationMessage: `Creating the Kling voice "${plan.voiceName}" from ${plan.sample}`,
    confirmationMessages: {
      title: `Create the Kling voice "${plan.voiceName}" from ${plan.sample}?`,
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
        ? 'The voice is ready and listed in My Voices. Use voiceId in a video request (the insert-request tool writes one).'
        : task.status === 'failed'
          ? 'Kling refused the sample; statusMessage says why. Fix the sample (5–30 s of one speaker) and create the voice again.'
          : 'The task is still running; it is followed in VS Code and appears in My Voices when it ends.',
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
      { location: vscode.ProgressLocation.Notification, title: `Kling voice "${plan.voiceName}"`, cancellable: true },
      (progress, token) => {
        progress.report({ message: `checking and uploading ${plan.sample}…` });
        return createVoiceFromFile(
          deps,
          plan.uri,
          { voiceName: plan.voiceName },
          // The user confirmed this upload, to this destination, in the tool's confirmation.
          // ... and the speaker's consent, recorded with the statement the confirmation showed.
          { trim: 'suggested', consent: true, speakerConsent: AGENT_CONSENT, signal: either(signalFor(token), outer) },
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
    return refusal(UNTRUSTED_MESSAGE);
  }
  const plan = await planCreate(deps, input);
  if (plan.kind === 'refused') {
    return refusal(`${plan.message} Nothing was sent.`);
  }
  try {
    const task =
      plan.kind === 'remote'
        ? await createWithProgress(deps.service, deps.log, plan.input, true, undefined, signalFor(token), AGENT_CONSENT)
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
