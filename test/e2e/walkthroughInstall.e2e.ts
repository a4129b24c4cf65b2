// The walkthrough on install, as a user gets it: a workbench without the extension, the VSIX installed from the palette
// (Extensions: Install from VSIX… and its file dialog). It opens once (title visible), not again after it is closed
// and the window reloads, and not on an update (a later version of the VSIX installed the same way). And when VS Code
// opens it itself (its Welcome page's service was running when the install happened) and the user closes it at once,
// the extension does not open it again. See the top of src/walkthrough.ts for who opens it when.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/walkthroughInstall.e2e.js
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { launchBrowser, openWorkbench, runCommand, type LaunchedBrowser } from '../../tools/testhost/browser';
import { startCodeServer, type CodeServer } from '../../tools/testhost/codeServer';
import { ensureCodeServer } from '../../tools/testhost/install';
import { makeTempDir, removeDir, repoRoot } from '../../tools/testhost/util';
import { extensionId, packageVsix } from '../../tools/testhost/vsix';

const TITLE = 'Get Started with Kling Custom Voices';
/** The extension's walkthrough runs its own open this long after its activation (WATCH_MS), plus a margin. */
const QUIET_MS = 20_000;

interface Workbench {
  server: CodeServer;
  browser: LaunchedBrowser;
  page: Page;
  workspace: string;
}

describe('The walkthrough on install (code-server + Chromium, VSIX installed from the palette)', function () {
  this.timeout(300_000);
  const root = repoRoot();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const [major, minor, patch] = manifest.version.split('.').map(Number);
  const laterVersion = `${major}.${minor}.${patch + 1}`;
  let vsixDir: string;
  let vsix: string;
  let laterVsix: string;
  let wb: Workbench | undefined;

  before(async () => {
    vsixDir = makeTempDir('e2e-vsix');
    vsix = await packageVsix(path.join(vsixDir, `kling-custom-voice-${manifest.version}.vsix`));
    laterVsix = await packageVsix(path.join(vsixDir, `kling-custom-voice-${laterVersion}.vsix`), laterVersion);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb) {
      const dir = path.join(root, 'test-results', 'e2e');
      fs.mkdirSync(dir, { recursive: true });
      const title = (this.currentTest.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await wb.page.screenshot({ path: path.join(dir, `FAILED-walkthrough-install-${title}.png`) });
    }
    await closeWorkbench();
  });
  after(() => removeDir(vsixDir));

  /** code-server with no extension at all, walkthroughs allowed to open on install, and Chromium on it. */
  async function startWorkbench(): Promise<Workbench> {
    const workspace = makeTempDir('e2e-workspace');
    fs.writeFileSync(path.join(workspace, 'README.md'), '# Kling Voice e2e workspace\n');
    const server = await startCodeServer({
      bin: await ensureCodeServer(),
      workspaceFolder: workspace,
      settings: {
        'workbench.welcomePage.walkthroughs.openOnInstall': true,
        'window.commandCenter': false,
        'chat.commandCenter.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
      env: { EXTENSIONS_GALLERY: '{}' },
    });
    const browser = await launchBrowser({ viewport: { width: 1280, height: 900 } });
    await openWorkbench(browser.page, server.url, workspace);
    wb = { server, browser, page: browser.page, workspace };
    return wb;
  }
  async function closeWorkbench(): Promise<void> {
    if (wb) {
      await wb.browser.close();
      await wb.server.stop();
      removeDir(wb.workspace);
      wb = undefined;
    }
  }

  /** Runs a palette command, once more after Escape if the first try finds no row (the palette can open early). */
  async function palette(page: Page, title: string): Promise<void> {
    try {
      await runCommand(page, title);
    } catch {
      await page.keyboard.press('Escape');
      await runCommand(page, title, 30_000);
    }
  }

  const activityBarItem = (page: Page) => page.locator('.activitybar .action-item a[aria-label^="Kling Voice"]');
  // The title of an open walkthrough (the Welcome page's details slide), not its entry in the Welcome page's list.
  const walkthroughTitle = (page: Page) =>
    page.locator('.gettingStartedSlideDetails h2.category-title', { hasText: TITLE });
  const walkthroughTab = (page: Page) => page.locator('.tabs-container .tab', { hasText: 'Walkthrough: Kling' });

  /** Extensions: Install from VSIX…, the path typed into the simple file dialog, Install. */
  async function installFromVsix(page: Page, file: string): Promise<void> {
    await palette(page, 'Extensions: Install from VSIX...');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    // The dialog writes its start folder into the box once it has read it (more than once, as it lists it): a path
    // typed before that is overwritten, so it is typed again until it stays and the dialog lists the file.
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(file) });
    for (let i = 0; i < 20; i++) {
      if ((await input.inputValue()) !== file) {
        await input.fill(file);
      }
      await page.waitForTimeout(500);
      if ((await input.inputValue()) === file && (await row.count()) > 0) {
        break;
      }
    }
    assert.strictEqual(await input.inputValue(), file, 'the path typed into the file dialog');
    await row.waitFor();
    await page.locator('.quick-input-widget .monaco-button', { hasText: /^Install$/ }).click();
  }

  /** Developer: Reload Window, then the workbench with the extension's activity bar item again. */
  async function reloadWindow(page: Page): Promise<void> {
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await palette(page, 'Developer: Reload Window');
    await loaded;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await activityBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
  }

  /** Fails if the walkthrough (its page or its tab) shows at any time during `ms`. */
  async function assertStaysClosed(page: Page, ms: number, when: string): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const shown = (await walkthroughTitle(page).count()) + (await walkthroughTab(page).count());
      assert.strictEqual(shown, 0, `the walkthrough opened ${when}`);
      await page.waitForTimeout(250);
    }
  }

  async function closeWalkthrough(page: Page): Promise<void> {
    await walkthroughTab(page).locator('.codicon-close').click();
    await walkthroughTab(page).waitFor({ state: 'detached' });
  }

  it('opens once on a fresh install, not after it is closed and the window reloads, and not on an update', async () => {
    const { page, server } = await startWorkbench();
    await page.waitForTimeout(3000); // the workbench's start-up settles (no Welcome page: startupEditor is none)
    await installFromVsix(page, vsix);
    await activityBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
    // No Welcome page has run in this window, so VS Code does not open it: the extension does, about 10 s later.
    await walkthroughTitle(page).waitFor({ state: 'visible', timeout: 60_000 });
    assert.strictEqual(await walkthroughTab(page).count(), 1, 'one walkthrough tab');
    for (const step of ['Set your API key', 'Pick and check a sample', 'Create the voice']) {
      await page.locator('.gettingStartedContainer .getting-started-step', { hasText: step }).first().waitFor();
    }
    await page.screenshot({ path: path.join(root, 'test-results', 'e2e', 'walkthrough-on-install.png') });
    await closeWalkthrough(page);
    await assertStaysClosed(page, QUIET_MS, 'again after it was closed');

    await reloadWindow(page);
    await assertStaysClosed(page, QUIET_MS, 'after a reload');

    // The update: the Welcome page's service runs (Help: Welcome, closed again) so that VS Code hears the install.
    await palette(page, 'Help: Welcome');
    await page.locator('.gettingStartedContainer').waitFor({ state: 'visible', timeout: 30_000 });
    await palette(page, 'View: Close All Editors');
    await installFromVsix(page, laterVsix);
    const reload = page.locator('.notifications-toasts .monaco-button', {
      hasText: /^(Reload Now|Restart Extensions)$/,
    });
    await reload.waitFor({ timeout: 60_000 });
    const loaded = page.waitForEvent('load', { timeout: 60_000 });
    await reload.click();
    await loaded;
    await activityBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
    const folders = fs.readdirSync(server.extensionsDir).filter((name) => name.startsWith(`${extensionId()}-`));
    assert.ok(
      folders.includes(`${extensionId()}-${laterVersion}`),
      `updated to ${laterVersion}: ${folders.join(', ')}`,
    );
    await assertStaysClosed(page, QUIET_MS, 'after the update');
  });

  it('when VS Code opens it itself and it is closed at once, the extension does not open it again', async () => {
    const { page } = await startWorkbench();
    await page.waitForTimeout(3000); // the workbench's start-up settles
    // The Welcome page, once shown in a window, keeps its service running: that service opens an installed
    // extension's walkthrough by itself.
    await palette(page, 'Help: Welcome');
    await page.locator('.gettingStartedContainer').waitFor({ state: 'visible', timeout: 30_000 });
    await palette(page, 'View: Close All Editors');
    await installFromVsix(page, vsix);
    await walkthroughTitle(page).waitFor({ state: 'visible', timeout: 30_000 });
    await closeWalkthrough(page);
    await assertStaysClosed(page, QUIET_MS, 'again after VS Code had opened it and it was closed');
  });
});
