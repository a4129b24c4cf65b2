// End to end: the trimmer in a real browser. A 40 s wav in the workspace is opened from the explorer's context
// menu; the selection (pre-set to the suggested window) is moved with the mouse and the keyboard, played, then
// exported, uploaded to a loopback S3 server (which checks signatures; the first upload asks for consent) and
// turned into a voice by the sandbox; the result card plays the trial audio and inserts a snippet; a failed task
// keeps the selection. At the end the window is reloaded and the trimmer tabs come back with their windows.
// Screenshots: docs/images/trimmer.png and docs/images/quality-report.png (KLING_E2E_THEME / KLING_E2E_IMAGES as in createForm.e2e.ts).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { concat, noise, speechLike, wavBytes } from '../../tools/fixtures/audio';
import { startS3Server, type S3TestServer } from '../../tools/fakes/s3server';
import { startE2E, waitUntilPlaying, type AudioLike, type E2E } from './harness';

// Random like a real key (answers lose every 6-character run of the key).
const TEST_KEY = 'e2e-key-tR41c7Zx';

describe('Trimmer in the browser (code-server + Chromium)', function () {
  this.timeout(300_000);
  let e2e: E2E;
  let s3: S3TestServer;
  let page: Page;

  before(async () => {
    s3 = await startS3Server();
    e2e = await startE2E({
      apiKey: TEST_KEY,
      sandbox: { processingDelayMs: 1500 },
      settings: {
        'klingVoice.upload.provider': 's3',
        'klingVoice.upload.s3.endpoint': s3.endpoint,
        'klingVoice.upload.s3.bucket': s3.bucket,
        'klingVoice.upload.s3.region': 'us-east-1',
        // No consented destinations: the first upload asks (a modal), as it does for a user.
      },
      // 40 s: room noise, 24 s of speech-like sound, room noise.
      workspaceFiles: {
        'interview.wav': wavBytes([concat(noise(5, 16000, 0.003), speechLike(24), noise(11, 16000, 0.003, 9))]),
        'narrator.wav': wavBytes([speechLike(8)]),
      },
    });
    page = e2e.page;
  });

  after(async () => {
    await e2e?.close();
    await s3?.close();
  });

  function trimmerFrame(): Promise<FrameLocator> {
    return e2e.webviewFrame({ purpose: null, marker: '#wave', visible: '#wave', what: 'trimmer webview' });
  }

  /** Like e2e.shoot, with 12 px of the page around the element. */
  async function shootWithMargin(target: Locator, name: string): Promise<void> {
    const box = await target.boundingBox();
    assert.ok(box);
    fs.mkdirSync(e2e.imagesDir, { recursive: true });
    await page.waitForTimeout(300);
    await page.screenshot({
      path: path.join(e2e.imagesDir, name),
      clip: { x: box.x - 12, y: box.y - 12, width: box.width + 24, height: box.height + 24 },
    });
  }

  const value = async (frame: FrameLocator, id: string) => Number.parseFloat(await frame.locator(id).inputValue());

  it('sets the key and the S3 credentials through the palette', async () => {
    await e2e.setKey(TEST_KEY);
    await e2e.palette('Kling Voice: Set Upload Credentials');
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await page.locator('.quick-input-widget', { hasText: 'S3 access key id' }).waitFor({ timeout: 15_000 });
    await box.fill(s3.accessKeyId);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'S3 secret access key' }).waitFor({ timeout: 15_000 });
    await box.fill(s3.secretAccessKey);
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: 'Upload credentials stored' }).waitFor({ timeout: 15_000 });
    await e2e.palette('Notifications: Clear All Notifications');
  });

  it('opens a 40 s wav from the explorer context menu: waveform, report, suggested window', async () => {
    await e2e.palette('View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'interview.wav' });
    await row.waitFor({ timeout: 30_000 });
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-label', { hasText: 'Open Sample in Trimmer' });
    await item.waitFor();
    // The menu ignores a mouse-up that comes right after it opened (the right-click's own): give it a moment.
    await page.waitForTimeout(600);
    await item.hover();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'Trim interview.wav' }).waitFor({ timeout: 30_000 });
    const frame = await trimmerFrame();
    await frame.locator('#file-name', { hasText: 'interview.wav' }).waitFor();
    assert.match((await frame.locator('#file-facts').textContent()) ?? '', /40\.0 s · WAV/);
    const start = await value(frame, '#start');
    const end = await value(frame, '#end');
    assert.ok(end - start >= 5 && end - start <= 30, `${start}–${end}`);
    assert.match((await frame.locator('#rule').textContent()) ?? '', /within Kling's 5–30 s/);
    await frame.locator('#metrics dt', { hasText: 'SNR (est.)' }).waitFor();
    assert.match((await frame.locator('#warnings').textContent()) ?? '', /40\.0 s long/);
    await e2e.page.locator('.part.sidebar').isVisible();
    await palette('View: Close Primary Side Bar');
    await page.waitForTimeout(300);
    await e2e.shoot(page.locator('.part.editor'), 'trimmer.png');
    await shootWithMargin(frame.locator('#report'), 'quality-report.png');
  });

  async function palette(title: string): Promise<void> {
    await e2e.palette(title);
  }

  it('moves the window with the mouse and the keyboard, resizes it with the fields, and plays it', async () => {
    const frame = await trimmerFrame();
    // Make a 10 s window with the numeric fields, then drag it.
    await frame.locator('#start').fill('2');
    await frame.locator('#start').press('Tab');
    await frame.locator('#end').fill('12');
    await frame.locator('#end').press('Tab');
    assert.strictEqual(await value(frame, '#start'), 2);
    assert.strictEqual(await value(frame, '#end'), 12);
    assert.match((await frame.locator('#length').textContent()) ?? '', /10\.0 s/);

    const box = await frame.locator('#wave').boundingBox();
    assert.ok(box);
    const pxPerSec = box.width / 40;
    const grabX = box.x + 7 * pxPerSec; // the middle of the window
    const y = box.y + box.height / 2;
    await page.mouse.move(grabX, y);
    await page.mouse.down();
    await page.mouse.move(grabX + 4 * pxPerSec, y, { steps: 8 });
    await page.mouse.up();
    const dragged = await value(frame, '#start');
    assert.ok(Math.abs(dragged - 6) < 0.3, `dragged to ${dragged}`);
    assert.ok(Math.abs((await value(frame, '#end')) - dragged - 10) < 0.02, 'a move keeps the length');

    // Keyboard: → three times (+0.3 s), Shift+← once (−1 s).
    await frame.locator('#wave').focus();
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('ArrowRight');
    }
    await page.keyboard.press('Shift+ArrowLeft');
    const keyed = await value(frame, '#start');
    assert.ok(Math.abs(keyed - (dragged - 0.7)) < 0.011, `${dragged} → ${keyed}`);

    // Drag the end handle out to make the window 20 s.
    const endX = box.x + (await value(frame, '#end')) * pxPerSec;
    await page.mouse.move(endX, y);
    await page.mouse.down();
    await page.mouse.move(endX + 10 * pxPerSec, y, { steps: 8 });
    await page.mouse.up();
    const len = (await value(frame, '#end')) - (await value(frame, '#start'));
    assert.ok(Math.abs(len - 20) < 0.3, `length ${len}`);

    // Too long: the rule says so and Create is disabled.
    await frame.locator('#end').fill('39');
    await frame.locator('#end').press('Tab');
    await frame.locator('#rule', { hasText: 'Make it shorter' }).waitFor();
    assert.ok(await frame.locator('#create-voice').isDisabled());
    await frame.locator('#end').fill(String(((await value(frame, '#start')) + 20).toFixed(2)));
    await frame.locator('#end').press('Tab');
    await frame.locator('#rule', { hasText: 'within' }).waitFor();

    // Play: the host posts the WAV bytes, the page plays them from a blob: URL.
    await frame.locator('#play').click();
    await frame.locator('#player').evaluate(
      (e) =>
        new Promise<void>((resolve, reject) => {
          const a = e as unknown as { paused: boolean; src: string; addEventListener(t: string, l: () => void): void };
          const check = () => (!a.paused && a.src.startsWith('blob:') ? resolve() : undefined);
          a.addEventListener('playing', check);
          setTimeout(
            () => (a.src.startsWith('blob:') ? resolve() : reject(new Error(`no blob preview (src ${a.src})`))),
            10_000,
          );
          check();
        }),
    );
    await frame.locator('#player').evaluate((e) => (e as unknown as { pause(): void }).pause());
  });

  it('exports, uploads to S3 and creates the voice; the result shows in the trimmer', async () => {
    const frame = await trimmerFrame();
    const start = await value(frame, '#start');
    const end = await value(frame, '#end');
    await frame.locator('#normalize').check();
    await frame.locator('#voiceName').fill('Interview voice');
    await frame.locator('#create-voice').click();
    await frame.locator('#progress').waitFor({ state: 'visible' });
    // The first upload to this bucket asks first; meanwhile the trimmer says it waits for that answer, not "0 %".
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 20_000 });
    assert.match((await dialog.textContent()) ?? '', /Upload this voice sample to/);
    await frame
      .locator('#progress-status', { hasText: 'Waiting for your confirmation to upload' })
      .waitFor({ timeout: 10_000 });
    assert.doesNotMatch((await frame.locator('#progress-status').textContent()) ?? '', /Uploading|%/);
    assert.strictEqual(s3.requests.filter((r) => r.method === 'PUT').length, 0, 'nothing is sent before the answer');
    await dialog.locator('.monaco-button', { hasText: 'Allow Uploads to This Destination' }).click();
    await frame.locator('#result-id').waitFor({ state: 'visible', timeout: 60_000 });
    const id = (await frame.locator('#result-id').textContent()) ?? '';
    assert.match(id, /^\d{16,}$/);
    const task = [...e2e.sandbox.state.tasks.values()].find((t) => t.voice?.voice_id === id);
    assert.ok(task);
    assert.strictEqual(task.voiceName, 'Interview voice');
    assert.match(new URL(task.voiceUrl ?? '').pathname, /\/interview\.wav$/);
    const put = s3.requests.find((r) => r.method === 'PUT');
    assert.strictEqual(put?.status, 200);
    const samples = Math.round(end * 16000) - Math.round(start * 16000);
    assert.strictEqual(Number(put?.headers['content-length']), 44 + samples * 2, 'the selection as mono 16-bit WAV');
    assert.ok(
      s3.requests.some((r) => r.method === 'GET' && r.url.includes('X-Amz-Signature') && r.status === 200),
      'the sandbox fetched the presigned URL',
    );
    await e2e.shoot(page.locator('.part.editor'), 'trimmer-result.png', true);
  });

  it('the result card: the trial audio plays only when clicked, Copy Voice ID, Insert Snippet into an editor', async () => {
    let frame = await trimmerFrame();
    const id = (await frame.locator('#result-id').textContent()) ?? '';
    assert.strictEqual(await frame.locator('#result-name').textContent(), 'Interview voice');
    const audio = frame.locator('#trial');
    await audio.waitFor({ state: 'visible' });
    assert.strictEqual(await audio.getAttribute('preload'), 'none');
    const trial = await audio.evaluate((e) => ({
      paused: (e as unknown as AudioLike).paused,
      src: (e as unknown as AudioLike).src,
    }));
    assert.ok(trial.paused, 'nothing plays before the click');
    assert.strictEqual(trial.src, `${e2e.sandbox.url}/__sandbox/trial/${id}.wav`);
    await audio.click({ position: { x: 20, y: 20 } });
    await waitUntilPlaying(audio);
    await audio.evaluate((e) => (e as unknown as AudioLike).pause());
    await e2e.shoot(page.locator('.part.editor'), 'trimmer-result-card.png', true);

    await frame.locator('#copy-id').click();
    await page.locator('.statusbar', { hasText: `Copied voice id ${id}` }).waitFor({ timeout: 10_000 });
    assert.strictEqual(await page.evaluate<string>('navigator.clipboard.readText()'), id);

    // Insert Snippet runs the extension's command with this voice: pick the format, the request opens in an editor.
    await frame.locator('#insert-snippet').click();
    const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'JSON body' });
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    await pick.click();
    const inserted = page.locator('.editor-instance .view-lines', { hasText: id });
    await inserted.waitFor({ timeout: 15_000 });
    assert.match((await inserted.textContent()) ?? '', /voice_list/);
    await palette('View: Revert and Close Editor');
    await inserted.waitFor({ state: 'detached', timeout: 15_000 });
    // The trimmer's page was hidden behind the editor and comes back with its result.
    frame = await trimmerFrame();
    await frame.locator('#result-id', { hasText: id }).waitFor({ timeout: 15_000 });
  });

  it("a failed task shows Kling's reason and keeps the selection for another try", async () => {
    const frame = await trimmerFrame();
    const start = await value(frame, '#start');
    const end = await value(frame, '#end');
    s3.refuseDownloads = true; // the sandbox cannot fetch the sample, so Kling fails the task
    try {
      await frame.locator('#create-voice').click();
      await frame.locator('#failure').waitFor({ state: 'visible', timeout: 60_000 });
    } finally {
      s3.refuseDownloads = false;
    }
    assert.strictEqual(await frame.locator('#failure-title').textContent(), 'Kling could not create the voice');
    assert.match(
      (await frame.locator('#failure-message').textContent()) ?? '',
      /^Reason: voice_url could not be downloaded \(HTTP 403\)/,
    );
    assert.match((await frame.locator('#failure-task').textContent()) ?? '', /^Task id \d+/);
    assert.ok(await frame.locator('#result').isHidden());
    assert.strictEqual(await value(frame, '#start'), start);
    assert.strictEqual(await value(frame, '#end'), end);
    assert.strictEqual(await frame.locator('#voiceName').inputValue(), 'Interview voice');
    assert.ok(await frame.locator('#create-voice').isEnabled(), 'Create is offered again');
    await e2e.shoot(page.locator('.part.editor'), 'trimmer-failed.png', true);
  });

  /** The sidebar's Create Voice form, once `visible` (a selector) shows in it. */
  function sidebarForm(visible = '#voiceName'): Promise<FrameLocator> {
    return e2e.webviewFrame({ purpose: 'webviewView', visible, what: 'Create Voice view' });
  }

  /** Picks a workspace file in code-server's own open dialog (a quick input that takes a path). */
  async function pickInDialog(name: string): Promise<void> {
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.waitFor({ state: 'visible', timeout: 15_000 });
    const wanted = path.join(e2e.workspace, name);
    // The dialog fills in its folder asynchronously after it opens: type once it has settled, and check.
    for (let attempt = 0; attempt < 5; attempt++) {
      await page.waitForTimeout(400);
      await box.fill(wanted);
      await page.waitForTimeout(400);
      if ((await box.inputValue()) === wanted) {
        break;
      }
    }
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  }

  it('the Create Voice form: a local file is checked (numbers, refusal, trimmer offered), then uploaded and created', async () => {
    await e2e.activityBarItem().click();
    const form = await sidebarForm();
    await form.locator('#source-file').check();
    await form.locator('#choose-file').click();
    await pickInDialog('interview.wav');
    await form.locator('#file-error', { hasText: '40.0 s long' }).waitFor({ timeout: 20_000 });
    assert.match((await form.locator('#file-facts').textContent()) ?? '', /Duration40\.0 s/);
    assert.ok(await form.locator('#open-trimmer').isVisible(), 'the trimmer is offered');
    assert.ok(await form.locator('#submit').isDisabled());
    assert.strictEqual(
      await form.locator('#voiceName').inputValue(),
      'interview',
      'the empty name was filled from the file name',
    );
    await e2e.shoot(page.locator('.part.sidebar'), 'sidebar-local-file-refused.png', true);

    await form.locator('#choose-file').click();
    await pickInDialog('narrator.wav');
    await form.locator('#file-name', { hasText: /^narrator\.wav$/ }).waitFor({ timeout: 20_000 });
    await form.locator('#file-error').waitFor({ state: 'hidden' });
    assert.strictEqual(
      await form.locator('#voiceName').inputValue(),
      'interview',
      'a name the form already has is kept',
    );
    // Speech with exact zeros between the words: no "−∞" noise floor, no bare "90 dB".
    assert.match((await form.locator('#file-quality').textContent()) ?? '', /peak .* dBFS · .* · SNR >\u00a090 dB · /);
    await form.locator('#voiceName').fill('Form file voice');
    const before = s3.requests.filter((r) => r.method === 'PUT').length;
    await e2e.shoot(page.locator('.part.sidebar'), 'sidebar-local-file.png');
    await form.locator('#submit').click();
    await form.locator('#result-id').waitFor({ state: 'visible', timeout: 60_000 });
    assert.strictEqual(await form.locator('#result-name').textContent(), 'Form file voice');
    assert.strictEqual(s3.requests.filter((r) => r.method === 'PUT').length, before + 1);
    const task = [...e2e.sandbox.state.tasks.values()].find((t) => t.voiceName === 'Form file voice');
    assert.match(new URL(task?.voiceUrl ?? 'http://x/').pathname, /\/narrator\.wav$/);
  });

  it('the form opens its file in the trimmer, whose report explains a digitally silent noise floor', async () => {
    const form = await sidebarForm('#create-another');
    await form.locator('#create-another').click();
    await form.locator('#open-trimmer').click();
    await page.locator('.tabs-container .tab', { hasText: 'Trim narrator.wav' }).waitFor({ timeout: 30_000 });
    const frame = await trimmerFrame();
    await frame.locator('#file-name', { hasText: 'narrator.wav' }).waitFor();
    const metric = async (name: string) =>
      (await frame
        .locator('#metrics div', { has: frame.locator('dt', { hasText: name }) })
        .locator('dd')
        .textContent()) ?? '';
    assert.strictEqual(await metric('Noise floor (est.)'), 'none (digital silence)');
    assert.strictEqual(await metric('SNR (est.)'), '>\u00a090 dB');
    assert.doesNotMatch((await frame.locator('#metrics').textContent()) ?? '', /∞/);
  });

  it('after a window reload the trimmer tabs come back with their file, window and normalize flag', async () => {
    let frame = await trimmerFrame();
    await frame.locator('#file-name', { hasText: 'narrator.wav' }).waitFor();
    await frame.locator('#start').fill('1.5');
    await frame.locator('#start').press('Tab');
    await frame.locator('#end').fill('7.5');
    await frame.locator('#end').press('Tab');
    await frame.locator('#normalize').check();
    await frame.locator('#voiceName').fill('Before reload');
    assert.strictEqual(await value(frame, '#start'), 1.5);
    assert.strictEqual(await value(frame, '#end'), 7.5);
    await page.waitForTimeout(300); // the page saves its state as it changes; let the last change land

    await palette('Developer: Reload Window');
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.tabs-container .tab', { hasText: 'Trim interview.wav' }).waitFor({ timeout: 60_000 });
    await page.locator('.tabs-container .tab', { hasText: 'Trim narrator.wav' }).waitFor({ timeout: 60_000 });
    frame = await trimmerFrame();
    await frame.locator('#file-name', { hasText: 'narrator.wav' }).waitFor({ timeout: 30_000 });
    assert.match((await frame.locator('#file-facts').textContent()) ?? '', /8\.00 s · WAV/, 'the file was read again');
    assert.strictEqual(await value(frame, '#start'), 1.5);
    assert.strictEqual(await value(frame, '#end'), 7.5);
    assert.ok(await frame.locator('#normalize').isChecked());
    // Only the file, the window and the flag are kept: the name is the one derived from the file again.
    assert.notStrictEqual(await frame.locator('#voiceName').inputValue(), 'Before reload');
    await e2e.shoot(page.locator('.part.editor'), 'trimmer-restored.png', true);
  });

  it('left no errors in the workbench page and no CSP violation in the webviews', () => {
    assert.deepStrictEqual(e2e.pageErrors, []);
    assert.deepStrictEqual(e2e.cspViolations, []);
  });
});
