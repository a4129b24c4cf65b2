// End to end: Debian's Chromium drives the code-server workbench with this extension loaded and pointed at
// the local API sandbox; a user sets the key, fills the Create Voice form in the sidebar and in the editor
// panel, and gets a voice. Screenshots go to docs/images/.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/*.e2e.js
// KLING_E2E_EXTENSION_PATH loads another build of the extension (default: this checkout); KLING_E2E_EXTENSIONS_DIR
// instead loads the copy installed in that extensions folder, as an installed extension (tools/testhost/runInstalled.ts);
// KLING_E2E_THEME picks the colour theme (e.g. 'Default Light Modern', 'Default High Contrast');
// KLING_E2E_IMAGES writes the screenshots elsewhere (default docs/images); KLING_E2E_HEADED=1 shows the browser (needs a display); KLING_TEST_VERBOSE echoes code-server's log.
import * as assert from 'assert';
import * as path from 'path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { Sandbox } from '../../tools/sandbox';
import { startE2E, waitUntilPlaying, type AudioLike, type E2E, type FileServer } from './harness';

const TEST_KEY = 'e2e-key-5d1c9a7b3e';
const LONG_NAME = 'A voice name too long'; // 21 characters

function creates(sandbox: Sandbox): number {
  return sandbox.state.requests.filter((r) => r.method === 'POST').length;
}

describe('Create Voice form in the browser (code-server + Chromium)', function () {
  this.timeout(300_000);
  let e2e: E2E;
  let sandbox: Sandbox;
  let files: FileServer;
  let page: Page;
  let pageErrors: string[];
  let cspViolations: string[];
  const activityBarItem = () => e2e.activityBarItem();
  const palette = (title: string) => e2e.palette(title);
  const shoot = (target: Locator | Page, name: string, review = false) => e2e.shoot(target, name, review);

  before(async () => {
    e2e = await startE2E({ apiKey: TEST_KEY });
    ({ sandbox, files, page, pageErrors, cspViolations } = e2e);
  });

  after(async () => {
    await e2e?.close();
  });

  /** The content frame of the Create Voice webview in the sidebar or in the editor area. */
  function formFrame(where: 'sidebar' | 'panel'): Promise<FrameLocator> {
    return e2e.webviewFrame({
      purpose: where === 'sidebar' ? 'webviewView' : null,
      visible: '#voiceName',
      what: `${where} Create Voice webview`,
    });
  }

  it('without a key the form says so; the key is set through the palette, typed into the password box', async () => {
    await activityBarItem().click();
    const form = await formFrame('sidebar');
    // The page's script is served from the copy under test: the checkout, or the installed VSIX (KLING_E2E_EXTENSIONS_DIR).
    const script = decodeURIComponent(
      new URL((await form.locator('script[src]').first().getAttribute('src')) ?? '').pathname,
    );
    console.log(`      [copy under test] the sidebar page's script: ${script}`);
    const relative = path.relative(e2e.extensionRoot, script);
    assert.ok(!relative.startsWith('..') && !path.isAbsolute(relative), `${script} is not under ${e2e.extensionRoot}`);
    if (e2e.installed) {
      assert.match(relative, /^klingvoice\.kling-custom-voice-[\w.-]+\/dist\/createForm\.js$/);
      const inCheckout = path.relative(e2e.root, script);
      assert.ok(inCheckout.startsWith('..') || path.isAbsolute(inCheckout), `${script} is the checkout's`);
    } else {
      assert.strictEqual(relative, path.join('dist', 'createForm.js'));
    }
    await form.locator('#key-notice', { hasText: 'No Kling API key is set' }).waitFor();
    assert.ok(await form.locator('#set-key').isVisible());
    await form.locator('#voiceName').fill('Early bird');
    await form.locator('#voiceUrl').fill(`${files.url}/sample.wav`);
    assert.ok(await form.locator('#submit').isDisabled(), 'no submit without a key');
    assert.match((await form.locator('#submit-hint').textContent()) ?? '', /API key/);

    await e2e.setKey(TEST_KEY);
    // The host hears of the new key (KeyStore.onDidChange) and the form drops its notice.
    await form.locator('#key-notice').waitFor({ state: 'hidden' });
    assert.ok(await form.locator('#submit').isEnabled());
    await form.locator('#voiceName').fill('');
    await form.locator('#voiceUrl').fill('');
  });

  it('sidebar: refuses a 21-character name inline and sends nothing, then creates a voice from a URL', async () => {
    const form = await formFrame('sidebar');
    const name = form.locator('#voiceName');
    const submit = form.locator('#submit');
    await name.fill(LONG_NAME);
    await form.locator('#voiceName-error', { hasText: '21 characters' }).waitFor();
    assert.strictEqual(await form.locator('#voiceName-count').textContent(), '21/20');
    assert.strictEqual(await name.getAttribute('aria-invalid'), 'true');
    assert.ok(await submit.isDisabled(), 'Submit is disabled while the name is too long');
    await shoot(page.locator('.part.sidebar'), 'sidebar-invalid.png', true);
    await form.locator('#voiceUrl').fill(`${files.url}/sample.wav`);
    await name.press('Enter'); // an implicit submit is refused too
    await page.waitForTimeout(500);
    // (The voice library views may list voices meanwhile; no create request may reach the sandbox.)
    assert.strictEqual(creates(sandbox), 0, 'no create request reached the sandbox');

    await name.fill('E2E Narrator');
    await form.locator('#voiceName-error').waitFor({ state: 'hidden' });
    assert.strictEqual(await form.locator('#voiceName-count').textContent(), '12/20');
    assert.strictEqual(await name.getAttribute('aria-invalid'), null);
    assert.ok(await submit.isEnabled());
    await shoot(page.locator('.part.sidebar'), 'sidebar-form.png');
    // The buttons' codicons come from the shipped font, which the page's policy lets load.
    interface FontFaceLike {
      family: string;
      status: string;
    }
    interface ElementLike {
      ownerDocument: {
        fonts: Iterable<FontFaceLike>;
        defaultView: { getComputedStyle(e: unknown, pseudo: string): { content: string } };
      };
    }
    const codiconFont = () =>
      form
        .locator('body')
        .evaluate(
          (b) =>
            [...(b as unknown as ElementLike).ownerDocument.fonts].find(
              (f) => f.family.replace(/["']/g, '') === 'codicon',
            )?.status ?? 'missing',
        );
    for (let i = 0; i < 50 && (await codiconFont()) !== 'loaded'; i++) {
      await page.waitForTimeout(100);
    }
    assert.strictEqual(await codiconFont(), 'loaded');
    const glyph = await form
      .locator('#submit .codicon-mic')
      .evaluate((e) => (e as unknown as ElementLike).ownerDocument.defaultView.getComputedStyle(e, '::before').content);
    assert.ok(glyph && glyph !== 'none' && glyph !== 'normal', `the mic glyph: ${glyph}`);
    await form.locator('#advanced summary').click();
    await form.locator('#externalTaskId').fill('e2e-sidebar-1');

    await submit.click();
    await form.locator('#progress').waitFor({ state: 'visible' });
    assert.match((await form.locator('#progress-status').textContent()) ?? '', /Sending|Submitted|Processing/);
    await form.locator('#progress-elapsed', { hasText: /Elapsed 0:0[1-9]/ }).waitFor({ timeout: 10_000 });
    await shoot(page.locator('.part.sidebar'), 'sidebar-progress.png', true);
    const voiceId = form.locator('#result-id');
    await voiceId.waitFor({ state: 'visible', timeout: 60_000 });
    const id = (await voiceId.textContent()) ?? '';
    assert.match(id, /^\d{16,}$/);
    assert.strictEqual(await form.locator('#result-name').textContent(), 'E2E Narrator');
    const task = [...sandbox.state.tasks.values()].find((t) => t.voice?.voice_id === id);
    assert.ok(task, 'the voice exists in the sandbox');
    assert.strictEqual(task.externalTaskId, 'e2e-sidebar-1');
    assert.strictEqual(task.voiceUrl, `${files.url}/sample.wav`);
    assert.ok(files.requests.includes('/sample.wav'), 'the sandbox fetched the sample');

    const audio = form.locator('#trial');
    await audio.waitFor({ state: 'visible' });
    assert.strictEqual(await audio.getAttribute('preload'), 'none');
    const trial = await audio.evaluate((e) => ({
      paused: (e as unknown as AudioLike).paused,
      src: (e as unknown as AudioLike).src,
    }));
    assert.ok(trial.paused, 'nothing plays before the click');
    assert.ok(trial.src.startsWith(`${sandbox.url}/__sandbox/trial/${id}`), trial.src);
    await shoot(page.locator('.part.sidebar'), 'result-card.png');

    // The play button plays the trial audio (the CSP's media-src allows the sandbox's loopback origin).
    const before = sandbox.state.requests.length;
    await audio.click({ position: { x: 20, y: 20 } });
    await waitUntilPlaying(audio);
    assert.ok(sandbox.state.requests.length >= before);

    await form.locator('#copy-id').click();
    await page.locator('.statusbar', { hasText: `Copied voice id ${id}` }).waitFor({ timeout: 10_000 });
    const clip = await page.evaluate<string>('navigator.clipboard.readText()');
    assert.strictEqual(clip, id);

    // Insert Snippet runs the extension's command with this voice id (it asks for a format, then opens the request).
    await form.locator('#insert-snippet').click();
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'JSON body' });
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    await pick.click();
    await page.locator('.editor-instance .view-lines', { hasText: id }).waitFor({ timeout: 15_000 });
    await palette('View: Revert and Close Editor');
    await page.locator('.editor-instance .view-lines', { hasText: id }).waitFor({ state: 'detached', timeout: 15_000 });

    await form.locator('#create-another').click();
    await form.locator('#result').waitFor({ state: 'hidden' });
    assert.strictEqual(await form.locator('#voiceName').inputValue(), '');
    assert.strictEqual(await form.locator('#voiceName-count').textContent(), '0/20');
  });

  it('panel: the same form in an editor panel creates a voice from an earlier video id', async () => {
    await palette('Kling Voice: Open Create Voice Panel');
    await page.locator('.tabs-container .tab', { hasText: 'Create Kling Voice' }).waitFor({ timeout: 30_000 });
    let form = await formFrame('panel');
    await form.locator('#voiceName').fill(LONG_NAME);
    await form.locator('#voiceName-error', { hasText: '21 characters' }).waitFor();
    await form.locator('#voiceName').fill('Panel voice');
    await form.locator('#source-file').check();
    // No upload provider in this workbench: the form says so and offers the settings; Submit stays disabled.
    await form.locator('#no-provider', { hasText: 'no upload provider is set' }).waitFor();
    assert.ok(await form.locator('#submit').isDisabled(), 'Submit stays disabled without a provider and a file');
    assert.match((await form.locator('#submit-hint').textContent()) ?? '', /upload provider/);
    await shoot(page, 'panel-local-file.png', true);
    await form.locator('#open-upload-settings').click();
    await page.locator('.settings-editor', { hasText: 'Upload' }).first().waitFor({ timeout: 15_000 });
    await palette('View: Close Editor');
    // The panel's page was hidden behind the settings and comes back (fields kept by setState).
    form = await formFrame('panel');
    assert.ok(await form.locator('#source-file').isChecked());
    await form.locator('#source-video').check();
    await form.locator('#videoId').fill('884422');
    const before = creates(sandbox);
    await shoot(page, 'panel.png');
    await form.locator('#submit').click();
    await form.locator('#result-id').waitFor({ state: 'visible', timeout: 60_000 });
    assert.strictEqual(await form.locator('#result-name').textContent(), 'Panel voice');
    assert.strictEqual(creates(sandbox), before + 1);
    const task = [...sandbox.state.tasks.values()].find((t) => t.voiceName === 'Panel voice');
    assert.strictEqual(task?.videoId, '884422');
    assert.strictEqual(task?.voiceUrl, undefined);
    await shoot(page, 'panel-result.png', true);
  });

  it('in a request being written, typing a voice_id offers the voices by name and inserts the id', async () => {
    await palette('File: New Untitled Text File');
    await palette('Change Language Mode');
    await page.keyboard.type('JSON');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^JSON/ }).first().click();
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.click();
    await page.keyboard.type('{ "model_name": "kling-v2-6", "voice_list": [{ "voice_id": "');
    await page.keyboard.press('Control+Space');
    const suggestion = page.locator('.suggest-widget .monaco-list-row', { hasText: 'Panel voice' });
    await suggestion.waitFor({ timeout: 15_000 });
    await shoot(page.locator('.part.editor'), 'voice-id-completion.png');
    await suggestion.click();
    const voiceId = [...sandbox.state.tasks.values()].find((t) => t.voiceName === 'Panel voice')?.voice?.voice_id;
    assert.ok(voiceId);
    await page.locator('.view-lines', { hasText: `"voice_id": "${voiceId}` }).waitFor({ timeout: 10_000 });
    await palette('View: Revert and Close Editor');
  });

  it('left no errors in the workbench page and no CSP violation in the webviews', () => {
    assert.deepStrictEqual(pageErrors, []);
    assert.deepStrictEqual(cspViolations, []);
  });
});
