// The getting-started walkthrough (contributes.walkthroughs in package.json): the context key its "create" step
// ticks on, and opening it once, on a fresh install.
//
// When does it open? What VS Code 1.95–1.100 does itself (workbench/contrib/welcomeGettingStarted, read in the
// 1.100.3 sources and checked in code-server, see test/e2e/walkthroughInstall.e2e.ts):
// - The Welcome page's service opens an extension's walkthrough when the extension was installed in this window
//   (Extensions view, Install from VSIX…: `onDidInstallExtensions`, unless the install asked `skipWalkthrough` or
//   came with a pack or a dependency), the walkthrough id was never seen in this profile (its "metadata"; never
//   removed, also not on uninstall) and `workbench.welcomePage.walkthroughs.openOnInstall` is on. So never on an
//   update of a version that already had the walkthrough, and never after a reload. But that service only hears
//   the install when it was already running: it is created on demand (the Welcome page, a walkthrough command), so
//   in a window that has not shown the Welcome page since it started VS Code opens nothing. It also never opens it
//   for an install it did not see: `code --install-extension`, an install from another window, Settings Sync.
// - Asked for a walkthrough it has not registered yet (it registers them a few seconds after it starts), the Welcome
//   page shows its own first walkthrough instead on a profile's first day ("Setup VS Code Web" in code-server), or
//   its index later.
// So the extension opens it itself, once, on its first activation when VS Code did not:
// - `walkthroughOffered` is written before anything else: whatever happens next (a close, a reload, an update:
//   globalState outlives them) this runs once per profile. Two windows starting at once each write their own claim
//   and only the one whose claim stayed opens it.
// - It is not opened when the installation was in use before the walkthrough existed (a key or tasks: an update
//   from 0.1.0), nor when `workbench.welcomePage.walkthroughs.openOnInstall` is off.
// - It waits WATCH_MS and opens it only if no Welcome page or other VS Code page (an editor tab of no known kind)
//   was in front when we started or opened meanwhile, and no tab with our name closed: VS Code opens its own within
//   about a second of the install (up to ~7 s: a 5 s experiment look-up and a 2 s search for `featuredFor` files),
//   and a user who closed that one must not see it again. In doubt it stays closed: it is always in Help: Welcome.
// - Meanwhile it starts the Welcome page's service (a no-op walkthrough command), so that the service has
//   registered our walkthrough by the time we ask for it.
// Left to VS Code: an update from 0.1.0 installed in a window that had shown the Welcome page and applied without a
// reload (desktop's "Restart Extensions") is, to VS Code, a walkthrough it has never shown, and it opens it once.
import * as vscode from 'vscode';
import type { TaskHistory } from './history/taskHistory';
import { CONTEXT_KEYS, SECRETS, STATE_KEYS, VSCODE_COMMANDS, WALKTHROUGH } from './ids';

/** How long VS Code is given to open the walkthrough itself before we do. */
const WATCH_MS = 10_000;

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

/** An editor tab of a kind the API does not name: the Welcome page (walkthroughs), Settings, an extension's page. */
function isWorkbenchPage(tab: vscode.Tab): boolean {
  return tab.input === undefined;
}

/**
 * Whether VS Code (or the user) has shown a Welcome page since we started watching. The tab of a walkthrough VS Code
 * opens is labelled "Welcome" when it opens (the API is told its "Walkthrough: <name>" title only with a later
 * event), so any page of no known kind counts; a closed tab carries its last title, which names the extension.
 */
class WelcomePageWatch implements vscode.Disposable {
  private seen: boolean;
  private readonly subscription: vscode.Disposable;

  constructor(displayName: string) {
    // VS Code may have opened it just before this activation: a page in front of a group counts.
    this.seen = vscode.window.tabGroups.all.some((g) => g.activeTab !== undefined && isWorkbenchPage(g.activeTab));
    this.subscription = vscode.window.tabGroups.onDidChangeTabs((e) => {
      const closedOurs = e.closed.some((t) => isWorkbenchPage(t) && t.label.includes(displayName));
      if (closedOurs || e.opened.some(isWorkbenchPage)) {
        this.seen = true;
      }
    });
  }

  get welcomeShown(): boolean {
    return this.seen;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/** Makes the Welcome page's service start (and register our walkthrough): a command on a step that does not exist. */
function startWalkthroughsService(): void {
  const noStep = `${WALKTHROUGH.extensionId}#${WALKTHROUGH.id}#-`;
  void Promise.resolve(vscode.commands.executeCommand(VSCODE_COMMANDS.markStepIncomplete, noStep)).catch(
    () => undefined, // it fails for that step, as expected, once the service has started
  );
}

async function usedBefore(context: vscode.ExtensionContext, history: TaskHistory): Promise<boolean> {
  return history.all().length > 0 || (await context.secrets.get(SECRETS.apiKey)) !== undefined;
}

/** Opens the walkthrough on the first activation after a fresh install when VS Code has not; see the top of the file. */
async function offerOnFirstInstall(
  context: vscode.ExtensionContext,
  history: TaskHistory,
  watch: WelcomePageWatch,
): Promise<void> {
  if (context.globalState.get(STATE_KEYS.walkthroughOffered) !== undefined) {
    return;
  }
  const claim = `${vscode.env.sessionId} ${Date.now()}`;
  await context.globalState.update(STATE_KEYS.walkthroughOffered, claim);
  const allowed = vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall');
  if (allowed === false || (await usedBefore(context, history))) {
    return;
  }
  startWalkthroughsService();
  await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
  if (watch.welcomeShown || context.globalState.get(STATE_KEYS.walkthroughOffered) !== claim) {
    return;
  }
  watch.dispose();
  await vscode.commands.executeCommand(
    VSCODE_COMMANDS.openWalkthrough,
    `${WALKTHROUGH.extensionId}#${WALKTHROUGH.id}`,
    false,
  );
}

export function registerWalkthrough(context: vscode.ExtensionContext, history: TaskHistory): vscode.Disposable {
  const displayName = String(context.extension.packageJSON.displayName ?? WALKTHROUGH.extensionId);
  const watch = new WelcomePageWatch(displayName);
  void offerOnFirstInstall(context, history, watch)
    .catch(() => undefined)
    .finally(() => watch.dispose());
  return vscode.Disposable.from(watch, trackHasVoice(history));
}
