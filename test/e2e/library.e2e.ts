// End to end, as a user: the palette's multi-step Create Voice flow, the My Voices and Preset Voices trees
// (context menu delete with its modal confirmation) and a failed task, in code-server driven by Chromium.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/library.e2e.js
import * as assert from 'assert';
import type { Locator } from 'playwright-core';
import { seedVoice } from '../../tools/sandbox';
import { runCommand } from '../../tools/testhost/browser';
import { startE2E, type AudioLike, type E2E } from './harness';

// Random like a real key: answers lose every 6-character run of the key, so a word in it ("palette") would be cut
// out of a voice name that contains it.
const TEST_KEY = 'e2e-key-pQ42b7c1Lx';

describe('Palette flow and voice library in the browser (code-server + Chromium)', function () {
  this.timeout(300_000);
  let e2e: E2E;

  before(async () => {
    e2e = await startE2E({ apiKey: TEST_KEY, sandbox: { processingDelayMs: 1500 } });
    await e2e.setKey(TEST_KEY);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && e2e) {
      await e2e.shoot(
        e2e.page,
        `FAILED-${(this.currentTest.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`,
        true,
      );
    }
  });
  after(async () => {
    await e2e?.close();
  });

  const quickInput = () => e2e.page.locator('.quick-input-widget');
  /** Waits until the multi-step input shows step n (its title reads "Create Kling Voice (n/6)"). */
  const atStep = (n: number) =>
    quickInput()
      .locator('.quick-input-title', { hasText: `(${n}/6)` })
      .waitFor();
  const toast = (text: string | RegExp) =>
    e2e.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  // The header's label also carries the view's description (the voice count), so match its start.
  const pane = (title: string): Locator =>
    e2e.page.locator('.part.sidebar .pane', { has: e2e.page.locator(`.pane-header[aria-label^="${title}"]`) });

  it('palette: refuses a 21-character name in place, goes back and forth, and creates a voice from a video id', async () => {
    const { page, sandbox } = e2e;
    await runCommand(page, 'Kling Voice: Create Voice…');
    const input = quickInput().locator('.quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('A voice name too long');
    await quickInput().locator('.quick-input-message', { hasText: '21 characters' }).waitFor();
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert.strictEqual(
      await input.inputValue(),
      'A voice name too long',
      'Enter does not move on while the name is invalid',
    );
    await e2e.shoot(page, 'palette-invalid-name.png', true);
    await input.fill('Palette Voice');
    await quickInput().locator('.quick-input-message', { hasText: '21 characters' }).waitFor({ state: 'hidden' });
    await page.keyboard.press('Enter');
    await atStep(2);
    await quickInput().locator('.monaco-list-row', { hasText: 'Earlier Kling video' }).click();
    await atStep(3);
    await input.fill('8830112233');
    await page.keyboard.press('Enter');
    await atStep(4);
    // Back twice to the source step and forward again: the answers are kept.
    await quickInput().locator('.codicon-quick-input-back').click();
    await atStep(3);
    assert.strictEqual(await input.inputValue(), '8830112233');
    await quickInput().locator('.codicon-quick-input-back').click();
    await atStep(2);
    await quickInput().locator('.monaco-list-row', { hasText: 'Earlier Kling video' }).click();
    await atStep(3);
    assert.strictEqual(await input.inputValue(), '8830112233');
    await page.keyboard.press('Enter'); // video id
    await atStep(4);
    await page.keyboard.press('Enter'); // no callback URL
    await atStep(5);
    await page.keyboard.press('Enter'); // generated external id
    await atStep(6);
    await quickInput().locator('.monaco-list-row', { hasText: 'Create voice' }).waitFor();
    await e2e.shoot(page, 'palette-confirm.png', true);
    assert.strictEqual(
      sandbox.state.requests.filter((r) => r.method === 'POST').length,
      0,
      'nothing is sent before the confirmation',
    );
    await page.keyboard.press('Enter');
    await toast(/Kling voice "Palette Voice"/).waitFor({ timeout: 15_000 });
    await e2e.page.locator('.statusbar', { hasText: '1 Kling voice task' }).waitFor({ timeout: 10_000 });
    const ready = toast(/Voice "Palette Voice" is ready/);
    await ready.waitFor({ timeout: 30_000 });
    await e2e.shoot(page, 'palette-ready.png', true);
    const text = (await ready.textContent()) ?? '';
    const voiceId = /Voice id: (\d+)/.exec(text)?.[1];
    assert.ok(voiceId, text);
    assert.strictEqual(sandbox.state.findTaskByVoiceId(voiceId)?.voiceName, 'Palette Voice');
    assert.ok(await ready.locator('a.monaco-button', { hasText: 'Copy Voice ID' }).isVisible());
    await runCommand(page, 'Notifications: Clear All Notifications');
  });

  it('My Voices lists the new voice; its context menu deletes it after a modal confirmation', async () => {
    const { page, sandbox } = e2e;
    await page.locator('.activitybar .action-item a[aria-label^="Kling Voice"]').click();
    const voices = pane('My Voices');
    const row = voices.locator('.monaco-list-row', { hasText: 'Palette Voice' });
    await row.waitFor({ timeout: 20_000 });
    await e2e.shoot(page.locator('.part.sidebar'), 'sidebar-library.png');
    const before = sandbox.state.voices.length;
    await row.click({ button: 'right' });
    // The workbench's context menu ignores a click that comes too soon after it opened: point, settle, then choose.
    await page.locator('.monaco-menu a.action-menu-item', { hasText: 'Delete Voice…' }).hover();
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /Delete voice "Palette Voice"\?/);
    await e2e.shoot(page, 'delete-confirm.png', true);
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    assert.strictEqual(sandbox.state.voices.length, before - 1);
  });

  it('Preset Voices lists the official voices with play and copy actions', async () => {
    const { page } = e2e;
    const presets = pane('Preset Voices');
    const header = presets.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') {
      await header.click();
    }
    const rows = presets.locator('.monaco-list-row', { hasText: /\d{12,}/ });
    await rows.nth(2).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800); // the pane finishes opening
    const first = rows.first();
    await first.hover();
    await first.locator('.action-label[aria-label^="Copy Voice ID"]').waitFor({ state: 'visible' });
    await first.locator('.action-label[aria-label^="Play Trial Audio"]').waitFor({ state: 'visible' });
    // The inline Copy action puts the voice id on the clipboard.
    await first.locator('.action-label[aria-label^="Copy Voice ID"]').click();
    const id = /\d{12,}/.exec((await first.textContent()) ?? '')?.[0];
    assert.ok(id);
    // The copy goes from the extension host to the browser asynchronously.
    let clip = '';
    for (const deadline = Date.now() + 10_000; clip !== id && Date.now() < deadline;) {
      await page.waitForTimeout(200);
      clip = await page.evaluate<string>('navigator.clipboard.readText()');
    }
    assert.strictEqual(clip, id);
    await e2e.shoot(page.locator('.part.sidebar'), 'sidebar-presets.png', true);

    // Play opens the trial in a tab beside the code and plays it there (the browser allows it after the click).
    await first.locator('.action-label[aria-label^="Play Trial Audio"]').click();
    const player = await e2e.webviewFrame({
      purpose: null,
      marker: '#player',
      visible: '#player-name',
      what: 'trial player tab',
    });
    assert.strictEqual(await player.locator('#player-id').textContent(), id);
    const audio = player.locator('#player');
    // Played (or playing) on its own: a 2 s tone may already have ended by now.
    const started = () =>
      audio.evaluate((e) =>
        ((a) => !a.paused || a.ended || a.currentTime > 0)(
          e as unknown as AudioLike & { ended: boolean; currentTime: number },
        ),
      );
    for (let i = 0; i < 50 && !(await started()); i++) {
      await page.waitForTimeout(100);
    }
    assert.ok(await started(), 'the trial played after the one click on Play');
    assert.strictEqual(await player.locator('#player-hint').isVisible(), false);
    assert.ok(((await audio.getAttribute('src')) ?? '').startsWith(`${e2e.sandbox.url}/__sandbox/trial/`));
    await e2e.shoot(page, 'trial-player.png', true);
    await runCommand(page, 'View: Close All Editors');
  });

  it("a failed task shows Kling's reason and stays in My Voices as failed", async () => {
    const { page } = e2e;
    await runCommand(page, 'Kling Voice: Create Voice…');
    const input = quickInput().locator('.quick-input-box input');
    await atStep(1);
    await input.fill('Short Sample');
    await page.keyboard.press('Enter');
    await atStep(2);
    await quickInput().locator('.monaco-list-row', { hasText: 'Audio or video URL' }).click();
    await atStep(3);
    await input.fill(`${e2e.files.url}/short.wav`);
    for (const n of [4, 5, 6]) {
      await page.keyboard.press('Enter');
      await atStep(n);
    }
    await quickInput().locator('.monaco-list-row', { hasText: 'Create voice' }).waitFor();
    await page.keyboard.press('Enter');
    const failed = toast(/Voice "Short Sample" failed/);
    await failed.waitFor({ timeout: 30_000 });
    assert.match((await failed.textContent()) ?? '', /duration|5-30|5–30/);
    await pane('My Voices')
      .locator('.monaco-list-row', { hasText: 'Short Sample' })
      .locator('text=failed')
      .first()
      .waitFor({ timeout: 20_000 });
    await e2e.shoot(page, 'palette-failed.png', true);
    // Nothing typed is lost: "Edit and Retry" opens the input again with the answers kept.
    await failed.locator('a.monaco-button', { hasText: 'Edit and Retry' }).click();
    await atStep(1);
    assert.strictEqual(await input.inputValue(), 'Short Sample');
    await page.keyboard.press('Enter');
    await atStep(2);
    await page.keyboard.press('Enter');
    await atStep(3);
    assert.strictEqual(await input.inputValue(), `${e2e.files.url}/short.wav`);
    await page.keyboard.press('Escape');
  });

  /** Right-clicks a row and chooses a context menu item (the menu ignores a click that comes too soon). */
  const contextMenu = async (row: Locator, item: string) => {
    await row.click({ button: 'right' });
    await e2e.page.locator('.monaco-menu a.action-menu-item', { hasText: item }).hover();
    await e2e.page.waitForTimeout(300);
    await e2e.page.keyboard.press('Enter');
  };

  it('Edit and Retry in Form: a failed task fills the sidebar form with its name, URL and reason; fixed, it becomes a voice', async () => {
    const { page, sandbox } = e2e;
    const failedRow = pane('My Voices').locator('.monaco-list-row', { hasText: 'Short Sample' });
    await failedRow.waitFor();
    await runCommand(page, 'Notifications: Clear All Notifications');
    const failedTask = [...sandbox.state.tasks.values()].find((t) => t.voiceName === 'Short Sample');
    assert.ok(failedTask);
    await contextMenu(failedRow, 'Edit and Retry in Form');
    const form = await e2e.webviewFrame({
      purpose: 'webviewView',
      visible: '#voiceName',
      what: 'sidebar Create Voice webview',
    });
    await form.locator('#failure-message', { hasText: /duration|5-30|5–30/ }).waitFor({ timeout: 20_000 });
    const url = form.locator('#voiceUrl');
    for (let i = 0; i < 100 && (await url.inputValue()) !== `${e2e.files.url}/short.wav`; i++) {
      await page.waitForTimeout(100);
    }
    assert.strictEqual(
      await url.inputValue(),
      `${e2e.files.url}/short.wav`,
      'the URL of the failed task is in the form',
    );
    assert.strictEqual(await form.locator('#voiceName').inputValue(), 'Short Sample');
    assert.ok(await url.evaluate((e) => e === e.ownerDocument.activeElement), 'the URL field has the focus');
    await e2e.shoot(page.locator('.part.sidebar'), 'retry-in-form.png', true);

    const creates = () =>
      sandbox.state.requests.filter((r) => r.method === 'POST' && /custom-voices$/.test(r.path)).length;
    const before = creates();
    await form.locator('#voiceName').fill('Retried Sample');
    await url.fill(`${e2e.files.url}/sample.wav`);
    await form.locator('#submit').click();
    const id = form.locator('#result-id');
    await id.waitFor({ state: 'visible', timeout: 60_000 });
    assert.strictEqual(creates(), before + 1, 'one create');
    const voiceId = await id.textContent();
    const task = [...sandbox.state.tasks.values()].find((t) => t.voice?.voice_id === voiceId);
    assert.ok(task, 'the voice exists in the sandbox');
    assert.strictEqual(task.voiceUrl, `${e2e.files.url}/sample.wav`);
    assert.notStrictEqual(
      task.externalTaskId,
      failedTask.externalTaskId,
      'the retry is a new task with its own external id',
    );
    await pane('My Voices').locator('.monaco-list-row', { hasText: 'Retried Sample' }).waitFor({ timeout: 20_000 });
  });

  it('a failed task leaves My Voices with Remove from List (a voice has no such item)', async () => {
    const { page, sandbox } = e2e;
    const voices = pane('My Voices');
    const failedRow = voices.locator('.monaco-list-row', { hasText: 'Short Sample' });
    await failedRow.waitFor();
    await runCommand(page, 'Notifications: Clear All Notifications');
    await contextMenu(failedRow, 'Remove from List');
    await failedRow.waitFor({ state: 'detached', timeout: 10_000 });
    // It stays out when the account list is loaded again, and nothing was sent to Kling to remove it.
    const posts = sandbox.state.requests.filter((r) => r.method === 'POST').length;
    await runCommand(page, 'Kling Voice: Refresh My Voices');
    await page.waitForTimeout(1000);
    assert.strictEqual(await failedRow.count(), 0);
    assert.strictEqual(sandbox.state.requests.filter((r) => r.method === 'POST').length, posts);
  });

  it('several voices selected in My Voices are deleted after one confirmation', async () => {
    const { page, sandbox } = e2e;
    const ids = [seedVoice(sandbox, 'Bulk One').voiceId, seedVoice(sandbox, 'Bulk Two').voiceId];
    await runCommand(page, 'Kling Voice: Refresh My Voices');
    const voices = pane('My Voices');
    const one = voices.locator('.monaco-list-row', { hasText: 'Bulk One' });
    const two = voices.locator('.monaco-list-row', { hasText: 'Bulk Two' });
    await one.waitFor({ timeout: 20_000 });
    await two.waitFor();
    await one.click();
    await two.click({ modifiers: ['Control'] });
    await contextMenu(two, 'Delete Voice…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    assert.match(text, /Delete 2 voices\?/);
    assert.ok(text.includes(ids[0]) && text.includes(ids[1]), text);
    await e2e.shoot(page, 'delete-many-confirm.png', true);
    const mark = sandbox.state.requests.length;
    await dialog.locator('.monaco-button', { hasText: 'Delete All' }).click();
    await one.waitFor({ state: 'detached', timeout: 20_000 });
    await two.waitFor({ state: 'detached', timeout: 20_000 });
    const deleted = sandbox.state.requests
      .slice(mark)
      .filter((r) => r.method === 'POST' && r.path.endsWith('/delete-voices'));
    assert.deepStrictEqual(deleted.map((r) => (r.body as { voice_id?: string }).voice_id).sort(), [...ids].sort());
    await toast('Deleted 2 voices.').waitFor({ timeout: 10_000 });
  });

  it('left no extension errors in the workbench page', () => {
    assert.deepStrictEqual(
      e2e.pageErrors.filter((m) => /kling/i.test(m)),
      [],
    );
  });
});
