// End to end, as a user: the speaker's consent question (a real modal, which the integration host cannot show) on the
// palette's Create Voice flow: Cancel sends nothing; "I Have Permission" creates; the same sample again is not asked.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/consent.e2e.js
import * as assert from 'assert';
import { runCommand } from '../../tools/testhost/browser';
import { startE2E, type E2E } from './harness';

// No word of the voice names in it: pieces of the key are cut out of every text shown (an echo-safe redaction).
const TEST_KEY = 'e2e-key-speaker-5d1e77';
const VIDEO_ID = '8830445566';

describe("The speaker's consent in the browser (code-server + Chromium)", function () {
  this.timeout(300_000);
  let e2e: E2E;

  before(async () => {
    e2e = await startE2E({
      apiKey: TEST_KEY,
      sandbox: { processingDelayMs: 1000 },
      settings: { 'klingVoice.consent.preAccepted': false },
    });
    await e2e.setKey(TEST_KEY);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && e2e) {
      await e2e.shoot(
        e2e.page,
        `FAILED-consent-${(this.currentTest.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}.png`,
        true,
      );
    }
  });
  after(async () => {
    await e2e?.close();
  });

  const quickInput = () => e2e.page.locator('.quick-input-widget');
  const atStep = (n: number) =>
    quickInput()
      .locator('.quick-input-title', { hasText: `(${n}/6)` })
      .waitFor();
  const creates = () => e2e.sandbox.state.requests.filter((r) => r.method === 'POST' && /custom-voices$/.test(r.path));

  /** The palette flow for a voice from an earlier video, up to and through its own confirmation. */
  async function paletteCreate(name: string): Promise<void> {
    const { page } = e2e;
    await runCommand(page, 'Kling Voice: Create Voice…');
    const input = quickInput().locator('.quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(name);
    await page.keyboard.press('Enter');
    await atStep(2);
    await quickInput().locator('.monaco-list-row', { hasText: 'Earlier Kling video' }).click();
    await atStep(3);
    await input.fill(VIDEO_ID);
    await page.keyboard.press('Enter');
    await atStep(4);
    await page.keyboard.press('Enter');
    await atStep(5);
    await page.keyboard.press('Enter');
    await atStep(6);
    await quickInput().locator('.monaco-list-row', { hasText: 'Create voice' }).waitFor();
    await page.keyboard.press('Enter');
  }

  it('asks with a modal before the first create; Cancel sends nothing', async () => {
    await paletteCreate('Consent One');
    const dialog = e2e.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    const text = (await dialog.textContent()) ?? '';
    assert.match(text, /Do you have the speaker's permission to clone this voice\?/);
    assert.match(text, new RegExp(`Kling video ${VIDEO_ID}`));
    await e2e.shoot(e2e.page, 'consent-question.png', true);
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await e2e.page.waitForTimeout(1000);
    assert.strictEqual(creates().length, 0, 'declined: nothing was sent');
  });

  it('"I Have Permission" creates the voice; the same sample again is created without asking', async () => {
    await paletteCreate('Consent One');
    const dialog = e2e.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: 'I Have Permission' }).click();
    await e2e.page
      .locator('.notifications-toasts .notification-toast', { hasText: /Voice "Consent One" is ready/ })
      .waitFor({ timeout: 30_000 });
    assert.strictEqual(creates().length, 1);
    await runCommand(e2e.page, 'Notifications: Clear All Notifications');

    await paletteCreate('Consent Two');
    await e2e.page
      .locator('.notifications-toasts .notification-toast', { hasText: /Voice "Consent Two" is ready/ })
      .waitFor({ timeout: 30_000 });
    assert.strictEqual(await dialog.count(), 0, 'no question the second time');
    assert.strictEqual(creates().length, 2);
  });
});
