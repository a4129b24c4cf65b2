import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import {
  CreateVoiceInput,
  MAX_VOICE_NAME_LENGTH,
  characterCount,
  urlExtensionWarning,
  validateExternalTaskId,
  validateHttpUrl,
  validateVideoId,
  validateVoiceName,
} from '../kling';

/** The wizard's title (translated at use: a module constant would be worded before l10n.config runs). */
const title = () => l10n.t('Create Kling Voice');
const BACK = Symbol('back');
type Back = typeof BACK;

interface InputStep {
  step: number;
  total: number;
  /** The prompt; recomputed as the user types (e.g. for a character counter). */
  prompt: string | ((value: string) => string);
  placeholder?: string;
  value?: string;
  validate: (v: string) => { error?: string; warning?: string };
  /** Empty input is allowed (optional field). */
  optional?: boolean;
}

/** One step with an InputBox; resolves with the value, BACK, or undefined when dismissed. */
function askInput(s: InputStep): Promise<string | Back | undefined> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = title();
    box.step = s.step;
    box.totalSteps = s.total;
    const promptFor = (v: string) => (typeof s.prompt === 'function' ? s.prompt(v) : s.prompt);
    box.placeholder = s.placeholder;
    box.value = s.value ?? '';
    box.ignoreFocusOut = true;
    box.buttons = s.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const check = (v: string) => {
      if (s.optional && !v.trim()) {
        box.prompt = promptFor(v);
        box.validationMessage = undefined;
        return true;
      }
      const r = s.validate(v);
      // Warnings do not block; they go into the prompt (validation messages are errors on VS Code < 1.76).
      box.prompt = r.warning ? `${promptFor(v)} — ⚠ ${r.warning}` : promptFor(v);
      box.validationMessage = r.error;
      return !r.error;
    };
    let done = false;
    const finish = (v: string | Back | undefined) => {
      if (!done) {
        done = true;
        resolve(v);
        box.dispose();
      }
    };
    box.onDidChangeValue(check);
    box.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) {
        finish(BACK);
      }
    });
    box.onDidAccept(() => {
      if (check(box.value)) {
        finish(box.value.trim());
      }
    });
    box.onDidHide(() => finish(undefined));
    check(box.value);
    box.show();
  });
}

interface PickItem<T> extends vscode.QuickPickItem {
  value: T;
}

function askPick<T>(
  step: number,
  total: number,
  placeholder: string,
  items: PickItem<T>[],
): Promise<T | Back | undefined> {
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<PickItem<T>>();
    pick.title = title();
    pick.step = step;
    pick.totalSteps = total;
    pick.placeholder = placeholder;
    pick.items = items;
    // Going back to this step lands on the earlier answer.
    const earlier = items.filter((i) => i.picked);
    if (earlier.length) {
      pick.activeItems = earlier;
    }
    pick.ignoreFocusOut = true;
    pick.buttons = step > 1 ? [vscode.QuickInputButtons.Back] : [];
    let done = false;
    const finish = (v: T | Back | undefined) => {
      if (!done) {
        done = true;
        resolve(v);
        pick.dispose();
      }
    };
    pick.onDidTriggerButton((b) => {
      if (b === vscode.QuickInputButtons.Back) {
        finish(BACK);
      }
    });
    pick.onDidAccept(() => finish(pick.selectedItems[0]?.value));
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}

type Source = 'url' | 'video';

/** The answers so far; Back keeps them, so going forward again shows them. */
interface WizardState {
  name: string;
  source?: Source;
  url: string;
  videoId: string;
  callback: string;
  external: string;
}

/** What a step resolves with: its answer, BACK, or undefined when the user left the wizard. */
type StepResult = string | Source | boolean | Back | undefined;

/** One step of the wizard: asks, stores a valid answer in the state and resolves with what the user did. */
type WizardStep = (step: number, total: number, state: WizardState) => Promise<StepResult>;

/**
 * The palette flow: name → source → URL or video id → callback URL → external task id → confirm.
 * Each step validates as the user types with the same rules as the client; Back keeps earlier answers.
 */
export async function runCreateWizard(initial: Partial<CreateVoiceInput> = {}): Promise<CreateVoiceInput | undefined> {
  const state: WizardState = {
    name: initial.voiceName ?? '',
    source: initial.videoId ? 'video' : initial.voiceUrl ? 'url' : undefined,
    url: initial.voiceUrl ?? '',
    videoId: initial.videoId ?? '',
    callback: initial.callbackUrl ?? '',
    external: initial.externalTaskId ?? '',
  };
  const steps: WizardStep[] = [askName, askSource, askSample, askCallback, askExternalId, askConfirm];
  const total = steps.length;
  let step = 1;
  while (step >= 1 && step <= total) {
    const r = await steps[step - 1](step, total, state);
    if (r === undefined) {
      return undefined;
    }
    step += r === BACK ? -1 : 1;
  }
  if (step < 1) {
    return undefined;
  }
  return inputOf(state);
}

/** Step 1: the voice name, with a character counter. */
async function askName(step: number, total: number, state: WizardState): Promise<StepResult> {
  const r = await askInput({
    step,
    total,
    prompt: (v) => l10n.t('Voice name ({0}/{1} characters)', characterCount(v.trim()), MAX_VOICE_NAME_LENGTH),
    placeholder: l10n.t('e.g. Narrator A'),
    value: state.name,
    validate: (v) => ({ error: validateVoiceName(v), warning: undefined }),
  });
  if (typeof r === 'string') {
    state.name = r;
  }
  return r;
}

/** Step 2: a URL or an earlier Kling video. */
async function askSource(step: number, total: number, state: WizardState): Promise<StepResult> {
  const r = await askPick<Source>(step, total, l10n.t('Where does the voice sample come from?'), [
    {
      label: `$(link) ${l10n.t('Audio or video URL')}`,
      description: l10n.t('.mp3 .wav .mp4 .mov, 5–30 s, one speaker'),
      value: 'url',
      picked: state.source === 'url',
    },
    {
      label: `$(device-camera-video) ${l10n.t('Earlier Kling video')}`,
      description: l10n.t('video id of a V2.6 video made with sound'),
      value: 'video',
      picked: state.source === 'video',
    },
  ]);
  if (r === 'url' || r === 'video') {
    state.source = r;
  }
  return r;
}

/** Step 3: the video id or the sample URL, depending on the source. */
async function askSample(step: number, total: number, state: WizardState): Promise<StepResult> {
  if (state.source === 'video') {
    const r = await askInput({
      step,
      total,
      prompt: l10n.t('Kling video id (a V2.6 video with sound on, or an Avatar / Lip-Sync video)'),
      value: state.videoId,
      validate: (v) => ({ error: validateVideoId(v) }),
    });
    if (typeof r === 'string') {
      state.videoId = r;
    }
    return r;
  }
  const r = await askInput({
    step,
    total,
    prompt: l10n.t('Public URL of a clean 5–30 s sample of one speaker'),
    placeholder: 'https://example.com/sample.wav',
    value: state.url,
    validate: (v) => {
      const error = validateHttpUrl(v, l10n.t('audio URL'));
      return { error, warning: error ? undefined : urlExtensionWarning(v) };
    },
  });
  if (typeof r === 'string') {
    state.url = r;
  }
  return r;
}

/** Step 4: the optional callback URL. */
async function askCallback(step: number, total: number, state: WizardState): Promise<StepResult> {
  const r = await askInput({
    step,
    total,
    prompt: l10n.t('Callback URL (optional): Kling POSTs status changes to it. Press Enter to skip.'),
    value: state.callback,
    optional: true,
    validate: (v) => ({ error: validateHttpUrl(v, l10n.t('callback URL')) }),
  });
  if (typeof r === 'string') {
    state.callback = r;
  }
  return r;
}

/** Step 5: the optional external task id. */
async function askExternalId(step: number, total: number, state: WizardState): Promise<StepResult> {
  const r = await askInput({
    step,
    total,
    prompt: l10n.t('External task id (optional, unique in your account). Press Enter to generate one.'),
    value: state.external,
    optional: true,
    validate: (v) => ({ error: validateExternalTaskId(v) }),
  });
  if (typeof r === 'string') {
    state.external = r;
  }
  return r;
}

/** Step 6: confirm. "Cancel" leaves the wizard like dismissing it does. */
async function askConfirm(step: number, total: number, state: WizardState): Promise<StepResult> {
  const question =
    state.source === 'video'
      ? l10n.t('Create "{0}" from video {1}?', state.name, state.videoId)
      : l10n.t('Create "{0}" from {1}?', state.name, state.url);
  const r = await askPick<boolean>(step, total, question, [
    {
      label: `$(check) ${l10n.t('Create voice')}`,
      description: l10n.t('Submits one task to Kling (billed per task)'),
      value: true,
    },
    { label: `$(close) ${l10n.t('Cancel')}`, value: false },
  ]);
  return r === false ? undefined : r;
}

/** The create input the answers describe. */
function inputOf(state: WizardState): CreateVoiceInput {
  const input: CreateVoiceInput = { voiceName: state.name };
  if (state.source === 'video') {
    input.videoId = state.videoId;
  } else {
    input.voiceUrl = state.url;
  }
  if (state.callback) {
    input.callbackUrl = state.callback;
  }
  if (state.external) {
    input.externalTaskId = state.external;
  }
  return input;
}
