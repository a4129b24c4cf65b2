// Issue 10, row 5: several windows of one VS Code share the extension's globalState (in code-server it lives in the
// browser's IndexedDB, and the workbench broadcasts each write to the other tabs, which push it to their own extension
// host). Three workbench pages on one code-server = three extension hosts sharing it.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/twoWindows.e2e.js
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { developmentPayload, openWorkbench, runCommand } from '../../tools/testhost/browser';
import { startE2E, type E2E } from './harness';

const TEST_KEY = 'e2e-key-windows-7d41c9';
const NAMES = ['Window A voice', 'Window B voice'];

/** Every "Kling Voice" log file the extension hosts of this code-server wrote (one per window). */
function extensionLogs(userDataDir: string): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (/Kling Voice\.log$/.test(e.name)) {
        found.push({ file: p, text: fs.readFileSync(p, 'utf8') });
      }
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return found;
}

function count(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, 'g')) ?? []).length;
}

describe('Two windows on one code-server (issue 10: no lost task, one announcement)', function () {
  this.timeout(300_000);
  let e2e: E2E;
  const pages: Page[] = [];

  before(async () => {
    e2e = await startE2E({
      apiKey: TEST_KEY,
      // Long enough to open a third window while both tasks run.
      sandbox: { processingDelayMs: 25_000 },
      settings: { 'klingVoice.pollIntervalSeconds': 1 },
      keybindings: (files) =>
        NAMES.map((voiceName, i) => ({
          key: `ctrl+alt+${i + 1}`,
          command: 'klingVoice.createVoice',
          args: { voiceName, voiceUrl: `${files}/sample.wav` },
        })),
    });
    await e2e.setKey(TEST_KEY);
    pages.push(e2e.page);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && e2e) {
      for (const [i, p] of pages.entries()) {
        await e2e.shoot(p, `FAILED-two-windows-${i}.png`, true);
      }
    }
  });
  after(async () => {
    await e2e?.close();
  });

  const openWindow = async (): Promise<Page> => {
    const page = await e2e.browser.context.newPage();
    await openWorkbench(page, e2e.server.url, e2e.workspace, developmentPayload(e2e.server.url, e2e.extensionRoot));
    await page.locator('.activitybar .action-item a[aria-label^="Kling Voice"]').waitFor({ timeout: 60_000 });
    pages.push(page);
    return page;
  };
  const myVoices = (page: Page) =>
    page.locator('.part.sidebar .pane', { has: page.locator('.pane-header[aria-label^="My Voices"]') });
  /** The notifications with `text` in a window's notification center (toasts end up there too). */
  const notifications = async (page: Page, text: string): Promise<number> => {
    await runCommand(page, 'Notifications: Show Notifications');
    const rows = page.locator('.notifications-center .notification-list-item', { hasText: text });
    await page.waitForTimeout(300);
    const n = await rows.count();
    await page.keyboard.press('Escape');
    return n;
  };

  it('tasks created at once in two windows: a third window sees both, follows neither; each end is announced once', async () => {
    const { sandbox } = e2e;
    const b = await openWindow();
    const windows = [e2e.page, b];
    // Both windows create at the same moment (a key bound to Create Voice with its arguments).
    await Promise.all(windows.map((p) => p.locator('.part.editor').click()));
    await Promise.all(windows.map((p, i) => p.keyboard.press(`Control+Alt+${i + 1}`)));
    const deadline = Date.now() + 20_000;
    while ([...sandbox.state.tasks.values()].length < 2) {
      assert.ok(Date.now() < deadline, `both creates reach the sandbox: ${sandbox.state.tasks.size}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const taskIds = [...sandbox.state.tasks.keys()];

    // A third window opens while both run: its resume finds both tasks in the shared history (none lost), and
    // leaves them to the windows that follow them.
    await new Promise((r) => setTimeout(r, 2000)); // the history writes reach the shared state
    const c = await openWindow();
    windows.push(c);
    const waitLog = async (what: string, ok: (text: string) => boolean) => {
      const until = Date.now() + 60_000;
      while (
        !ok(
          extensionLogs(e2e.server.userDataDir)
            .map((l) => l.text)
            .join('\n'),
        )
      ) {
        assert.ok(Date.now() < until, `timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    // Its resume logs `task <id> (<name>)` for each task its history holds: both, whoever created them.
    await waitLog('the third window to find both tasks', (text) =>
      taskIds.every((id) => text.includes(`task ${id} (`)),
    );

    // In every window, My Voices lists both tasks.
    for (const p of windows) {
      await p.locator('.activitybar .action-item a[aria-label^="Kling Voice"]').click();
      for (const name of NAMES) {
        await myVoices(p).locator('.monaco-list-row', { hasText: name }).waitFor({ timeout: 30_000 });
      }
    }

    // Both end; each end is announced once in all windows together (log lines and notifications).
    await waitLog('both announcements', (text) => taskIds.every((id) => text.includes(`announced task ${id}:`)));
    await new Promise((r) => setTimeout(r, 5000)); // a second announcement, if any, would come within a poll or two
    const logs = extensionLogs(e2e.server.userDataDir);
    assert.ok(logs.length >= 3, `one log per window: ${logs.map((l) => l.file).join(', ')}`);
    const all = logs.map((l) => l.text).join('\n');
    for (const id of taskIds) {
      assert.strictEqual(count(all, new RegExp(`announced task ${id}:`)), 1, `task ${id} announced once`);
    }
    let shown = 0;
    for (const [i, p] of windows.entries()) {
      for (const name of NAMES) {
        const n = await notifications(p, `Voice "${name}" is ready`);
        if (n) {
          assert.strictEqual(i, NAMES.indexOf(name), `"${name}" is announced in the window that created it`);
        }
        shown += n;
      }
    }
    assert.strictEqual(shown, 2, 'two notifications in all');
    for (const id of taskIds) {
      assert.match(all, new RegExp(`task ${id} \\(.*\\) is followed by another window`), 'the third window left it');
      assert.doesNotMatch(all, new RegExp(`resuming task ${id}`), 'nobody else followed it');
    }
    assert.ok(!all.includes(TEST_KEY), 'the key is in no log');
  });
});
