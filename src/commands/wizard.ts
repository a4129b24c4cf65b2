import * as vscode from 'vscode';
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

const TITLE = 'Create Kling Voice';
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
    box.title = TITLE;
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
    pick.title = TITLE;
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

/**
 * The palette flow: name → source → URL or video id → callback URL → external task id → confirm.
 * Each step validates as the user types with the same rules as the client; Back keeps earlier answers.
 */
export async function runCreateWizard(initial: Partial<CreateVoiceInput> = {}): Promise<CreateVoiceInput | undefined> {
  const state: { name: string; source?: Source; url: string; videoId: string; callback: string; external: string } = {
    name: initial.voiceName ?? '',
    source: initial.videoId ? 'video' : initial.voiceUrl ? 'url' : undefined,
    url: initial.voiceUrl ?? '',
    videoId: initial.videoId ?? '',
    callback: initial.callbackUrl ?? '',
    external: initial.externalTaskId ?? '',
  };
  const total = 6;
  let step = 1;
  while (step >= 1 && step <= total) {
    let r: string | Source | boolean | Back | undefined;
    switch (step) {
      case 1:
        r = await askInput({
          step,
          total,
          prompt: (v) => `Voice name (${characterCount(v.trim())}/${MAX_VOICE_NAME_LENGTH} characters)`,
          placeholder: 'e.g. Narrator A',
          value: state.name,
          validate: (v) => ({ error: validateVoiceName(v), warning: undefined }),
        });
        if (typeof r === 'string') {
          state.name = r;
        }
        break;
      case 2:
        r = await askPick<Source>(step, total, 'Where does the voice sample come from?', [
          {
            label: '$(link) Audio or video URL',
            description: '.mp3 .wav .mp4 .mov, 5–30 s, one speaker',
            value: 'url',
            picked: state.source === 'url',
          },
          {
            label: '$(device-camera-video) Earlier Kling video',
            description: 'video id of a V2.6 video made with sound',
            value: 'video',
            picked: state.source === 'video',
          },
        ]);
        if (r === 'url' || r === 'video') {
          state.source = r;
        }
        break;
      case 3:
        if (state.source === 'video') {
          r = await askInput({
            step,
            total,
            prompt: 'Kling video id (a V2.6 video with sound on, or an Avatar / Lip-Sync video)',
            value: state.videoId,
            validate: (v) => ({ error: validateVideoId(v) }),
          });
          if (typeof r === 'string') {
            state.videoId = r;
          }
        } else {
          r = await askInput({
            step,
            total,
            prompt: 'Public URL of a clean 5–30 s sample of one speaker',
            placeholder: 'https://example.com/sample.wav',
            value: state.url,
            validate: (v) => {
              const error = validateHttpUrl(v, 'audio URL');
              return { error, warning: error ? undefined : urlExtensionWarning(v) };
            },
          });
          if (typeof r === 'string') {
            state.url = r;
          }
        }
        break;
      case 4:
        r = await askInput({
          step,
          total,
          prompt: 'Callback URL (optional): Kling POSTs status changes to it. Press Enter to skip.',
          value: state.callback,
          optional: true,
          validate: (v) => ({ error: validateHttpUrl(v, 'callback URL') }),
        });
        if (typeof r === 'string') {
          state.callback = r;
        }
        break;
      case 5:
        r = await askInput({
          step,
          total,
          prompt: 'External task id (optional, unique in your account). Press Enter to generate one.',
          value: state.external,
          optional: true,
          validate: (v) => ({ error: validateExternalTaskId(v) }),
        });
        if (typeof r === 'string') {
          state.external = r;
        }
        break;
      default: {
        const source = state.source === 'video' ? `video ${state.videoId}` : state.url;
        r = await askPick<boolean>(step, total, `Create "${state.name}" from ${source}?`, [
          { label: '$(check) Create voice', description: 'Submits one task to Kling (billed per task)', value: true },
          { label: '$(close) Cancel', value: false },
        ]);
        if (r === false) {
          return undefined;
        }
      }
    }
    if (r === undefined) {
      return undefined;
    }
    step += r === BACK ? -1 : 1;
  }
  if (step < 1) {
    return undefined;
  }
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
