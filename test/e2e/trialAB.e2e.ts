// End to end: the Trial tab's A/B listen in a real browser. A voice is created from a local file (Explorer → Create
// Kling Voice from File…, uploaded to a loopback upload endpoint the sandbox fetches from); Play in My Voices opens the
// Trial tab, which plays Kling's trial (A) and the file itself (B), one at a time, switches between them at the same
// relative position with the mouse and the keyboard, and says in one line when the file has gone.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/trialAB.e2e.js
// Screenshot: docs/images/trial-ab.png (KLING_E2E_IMAGES elsewhere).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Locator } from 'playwright-core';
import { speechLike, wavBytes } from '../../tools/fixtures/audio';
import { startUploadEndpoint, type UploadEndpoint } from '../../tools/fakes/uploadEndpoint';
import { startE2E, waitUntilPlaying, type AudioLike, type E2E } from './harness';

// Random like a real key (answers lose every 6-character run of the key).
const TEST_KEY = 'e2e-key-aB93k1Qz';

/** What the test reads of an <audio> (the root tsconfig has no DOM types). */
interface Media extends AudioLike {
  currentTime: number;
  duration: number;
  ended: boolean;
}

const media = (audio: Locator) =>
  audio.evaluate((e) => {
    const a = e as unknown as Media;
    return { paused: a.paused, currentTime: a.currentTime, duration: a.duration, src: a.src };
  });

describe('Trial tab: A/B listen with the source sample (code-server + Chromium)', function () {
  this.timeout(300_000);
  let e2e: E2E;
  let endpoint: UploadEndpoint;

  before(async () => {
    endpoint = await startUploadEndpoint();
    e2e = await startE2E({
      apiKey: TEST_KEY,
      sandbox: { processingDelayMs: 1500 },
      settings: {
        'klingVoice.upload.provider': 'http',
        'klingVoice.upload.http.url': `${endpoint.url}/upload`,
        'klingVoice.upload.http.responseUrlPath': 'data.url',
        'klingVoice.upload.consentedDestinations': [`${endpoint.url}/upload`],
      },
      workspaceFiles: { 'narrator.wav': wavBytes([speechLike(8)]) },
    });
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
    await endpoint?.close();
  });

  const toast = (text: string | RegExp) =>
    e2e.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  const pane = (title: string): Locator =>
    e2e.page.locator('.part.sidebar .pane', { has: e2e.page.locator(`.pane-header[aria-label^="${title}"]`) });
  const playerFrame = (): Promise<FrameLocator> =>
    e2e.webviewFrame({ purpose: null, marker: '#player', visible: '#player-name', what: 'trial player tab' });

  /** Play in My Voices (the row's inline action): opens the Trial tab, or plays the voice again in it. */
  async function playFromMyVoices(name: string): Promise<FrameLocator> {
    // The activity bar item toggles the side bar: click it only when My Voices is not showing.
    if (!(await pane('My Voices').isVisible())) {
      await e2e.activityBarItem().click();
    }
    const row = pane('My Voices').locator('.monaco-list-row', { hasText: name });
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    const play = row.locator('.action-label[aria-label^="Play Trial Audio"]');
    await play.waitFor({ state: 'visible' });
    await play.click();
    return playerFrame();
  }

  it('creates a voice from a local file through the Explorer', async () => {
    const { page } = e2e;
    await e2e.palette('View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'narrator.wav' });
    await row.waitFor({ timeout: 30_000 });
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-label', { hasText: 'Create Kling Voice from File' });
    await item.waitFor();
    // The menu ignores a mouse-up that comes right after it opened (the right-click's own): give it a moment.
    await page.waitForTimeout(600);
    await item.hover();
    await page.keyboard.press('Enter');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: 'Create Kling Voice from narrator.wav' }).waitFor();
    await input.fill('AB Narrator');
    await page.keyboard.press('Enter');
    // A quality warning would ask first (a modal); this sample has none, but a changed analysis must not hang here.
    const warn = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Upload and Create' });
    const ready = toast(/Voice "AB Narrator" created/);
    await Promise.race([
      warn.waitFor({ timeout: 60_000 }).then(() => warn.click()),
      ready.waitFor({ timeout: 60_000 }),
    ]);
    await ready.waitFor({ timeout: 60_000 });
    assert.strictEqual(endpoint.uploads.length, 1, 'the file was uploaded once');
    const task = [...e2e.sandbox.state.tasks.values()].find((t) => t.voiceName === 'AB Narrator');
    assert.ok(task?.voiceUrl?.startsWith(endpoint.url), 'Kling fetched the uploaded copy');
    await e2e.palette('Notifications: Clear All Notifications');
  });

  it('plays the trial and the sample one at a time, and switches A/B at the same relative position, by mouse and keyboard', async () => {
    const { page } = e2e;
    const frame = await playFromMyVoices('AB Narrator');
    await frame.locator('#player-name', { hasText: 'AB Narrator' }).waitFor();
    const trial = frame.locator('#player');
    const sample = frame.locator('#sample');
    await frame.locator('#sample-row').waitFor({ state: 'visible', timeout: 30_000 });
    assert.strictEqual(await frame.locator('#sample-name').textContent(), 'narrator.wav');
    assert.ok((await media(sample)).src.startsWith('blob:'), 'the file comes as a blob: URL of the page');
    assert.strictEqual(await frame.locator('#sample-note').isVisible(), false);
    assert.ok((await media(trial)).src.startsWith(`${e2e.sandbox.url}/__sandbox/trial/`));

    // B: the sample plays (its time advances), and the trial is paused.
    await frame.locator('#play-sample').click();
    await waitUntilPlaying(sample);
    const t0 = (await media(sample)).currentTime;
    await page.waitForTimeout(700);
    const t1 = (await media(sample)).currentTime;
    assert.ok(t1 > t0 + 0.3, `the sample's time advances: ${t0} → ${t1}`);
    assert.strictEqual((await media(trial)).paused, true, 'one at a time');
    assert.strictEqual(await frame.locator('#play-sample').getAttribute('aria-pressed'), 'true');
    assert.strictEqual(await frame.locator('#play-sample .label').textContent(), 'Pause Sample');

    // A/B while B plays: A takes over at the same share of its length, and B stops.
    const atSwitch = await media(sample);
    await frame.locator('#switch-ab').click();
    await waitUntilPlaying(trial);
    const a = await media(trial);
    const share = atSwitch.currentTime / atSwitch.duration;
    assert.ok(
      a.currentTime / a.duration >= share - 0.05 && a.currentTime / a.duration <= share + 0.4,
      `the trial starts at about ${share.toFixed(2)} of its length (${a.currentTime} of ${a.duration} s)`,
    );
    assert.strictEqual((await media(sample)).paused, true);
    await e2e.shoot(frame.locator('section.player'), 'trial-ab.png');

    // Pause, put B at its middle, and switch with the keyboard: B plays from the middle of A's share.
    await trial.evaluate((e) => (e as unknown as Media).pause());
    await sample.evaluate((e) => {
      (e as unknown as Media).currentTime = 4;
    });
    await frame.locator('#play-sample').focus();
    await page.keyboard.press('Enter'); // the focused button, as a keyboard user plays B
    await waitUntilPlaying(sample);
    await frame.locator('#switch-ab').focus();
    await page.keyboard.press('Space');
    await waitUntilPlaying(trial);
    const fromKeyboard = await media(trial);
    assert.ok(fromKeyboard.currentTime >= 0.8, `the trial starts near the middle: ${fromKeyboard.currentTime}`);
    assert.strictEqual((await media(sample)).paused, true);
    await page.keyboard.press('Space'); // again: back to B, still playing
    await waitUntilPlaying(sample);
    assert.strictEqual((await media(trial)).paused, true);
    await frame.locator('#play-sample').click();
    await page.waitForTimeout(200);
    assert.strictEqual((await media(sample)).paused, true, 'Pause Sample pauses it');
    assert.strictEqual(await frame.locator('#play-sample').getAttribute('aria-pressed'), 'false');
  });

  it('a sample file that has gone since: one calm line instead of a player', async () => {
    fs.unlinkSync(path.join(e2e.workspace, 'narrator.wav'));
    await e2e.page
      .locator('.part.editor')
      .click({ position: { x: 5, y: 5 } })
      .catch(() => undefined);
    const frame = await playFromMyVoices('AB Narrator');
    const note = frame.locator('#sample-note');
    await note.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await note.textContent()) ?? '', /no longer there \(narrator\.wav\)/);
    assert.strictEqual(await frame.locator('#sample-row').isVisible(), false);
    assert.strictEqual(await frame.locator('#ab-controls').isVisible(), false);
    await e2e.shoot(e2e.page.locator('.part.editor'), 'trial-ab-gone.png', true);
  });

  it('left no errors in the workbench page and no CSP violation in the webviews', () => {
    assert.deepStrictEqual(
      e2e.pageErrors.filter((m) => /kling/i.test(m)),
      [],
    );
    assert.deepStrictEqual(e2e.cspViolations, []);
  });
});
