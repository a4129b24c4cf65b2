// The getting-started walkthrough (contributes.walkthroughs in package.json): the context key its "create" step
// ticks on, and opening it once, on a fresh install.
import * as vscode from 'vscode';
import type { TaskHistory } from './history/taskHistory';
import { CONTEXT_KEYS, SECRETS, STATE_KEYS, VSCODE_COMMANDS, WALKTHROUGH } from './ids';

const OPEN_DELAY_MS = 10_000;

/** `klingVoice.hasVoice`: true once a task of this machine has succeeded with a voice. */
function trackHasVoice(history: TaskHistory): vscode.Disposable {
  let last: boolean | undefined;
  const update = () => {
    const has = history.all().some((e) => e.status === 'succeed' && e.voices.length > 0);
    if (has !== last) {
      last = has;
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasVoice, has);
    }
  };
  update();
  return history.onDidChange(update);
}

/**
 * Opens the walkthrough on the first start after a fresh install; never again (the flag is set first), and never
 * after an update: an install that already has tasks or a key was in use before the walkthrough existed. VS Code's
 * own `workbench.welcomePage.walkthroughs.openOnInstall` turns it off, as it does for walkthroughs VS Code opens.
 */
async function offerOnFirstInstall(context: vscode.ExtensionContext, history: TaskHistory): Promise<void> {
  if (context.globalState.get<boolean>(STATE_KEYS.walkthroughOffered)) {
    return;
  }
  await context.globalState.update(STATE_KEYS.walkthroughOffered, true);
  const usedBefore = history.all().length > 0 || (await context.secrets.get(SECRETS.apiKey)) !== undefined;
  const allowed = vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall');
  // In VS Code for the Web (code-server) the Welcome page, asked at startup, showed its own "Setup VS Code Web"
  // walkthrough instead of this one even 30 s later; there the workbench's own open-on-install has to do.
  if (usedBefore || allowed === false || vscode.env.uiKind === vscode.UIKind.Web) {
    return;
  }
  // The Welcome page learns of extensions' walkthroughs on its own schedule (after every extension is registered
  // and a search of the workspace for `featuredFor`, which may take 2 s): asked for one it does not know yet, it
  // shows its own first walkthrough instead, for good (seen in code-server at onStartupFinished with 3 s). Wait.
  await new Promise((resolve) => setTimeout(resolve, OPEN_DELAY_MS));
  await vscode.commands.executeCommand(
    VSCODE_COMMANDS.openWalkthrough,
    `${WALKTHROUGH.extensionId}#${WALKTHROUGH.id}`,
    false,
  );
}

export function registerWalkthrough(context: vscode.ExtensionContext, history: TaskHistory): vscode.Disposable {
  void offerOnFirstInstall(context, history).catch(() => undefined);
  return trackHasVoice(history);
}
