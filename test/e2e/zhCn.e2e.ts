// End to end in Simplified Chinese: the workbench runs with `--locale zh-cn` and a stub zh-cn language pack (so
// `vscode.env.language` is zh-cn), and the extension speaks Chinese in the walkthrough, the sidebar form, My Voices,
// a validation message, a failure card, the trimmer, the trial player and the notifications. The walkthrough is
// listed and opens in Chinese, and a step ticks when its action is done. The walkthrough, the trimmer and the trial
// player are also searched for any English message of ours (englishLeftovers.ts); VS Code's own words stay English
// (the stub pack has no translations). Screenshot of the zh-cn sidebar: docs/images/sidebar-zh-cn.png; the others
// go to test-results/e2e for review.
//   npm run build && npx tsc -p tsconfig.json && npx mocha --no-config --timeout 300000 out/test/e2e/zhCn.e2e.js
import * as assert from 'assert';
import type { FrameLocator, Locator } from 'playwright-core';
import { concat, noise, speechLike, wavBytes } from '../../tools/fixtures/audio';
import { runCommand } from '../../tools/testhost/browser';
import { englishLeftovers, englishPieces, userFacingText } from './englishLeftovers';
import { startE2E, type E2E } from './harness';

const TEST_KEY = 'e2e-key-zh-cn-8f2a61';

describe('Simplified Chinese (zh-cn) workbench, and the walkthrough (code-server + Chromium)', function () {
  this.timeout(300_000);
  let e2e: E2E;
  let pieces: string[];

  before(async () => {
    e2e = await startE2E({
      apiKey: TEST_KEY,
      locale: 'zh-cn',
      // 40 s: room noise, 24 s of speech-like sound, room noise (the trimmer warns it is too long).
      workspaceFiles: {
        'interview.wav': wavBytes([concat(noise(5, 16000, 0.003), speechLike(24), noise(11, 16000, 0.003, 9))]),
      },
    });
    pieces = englishPieces(e2e.root);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && e2e) {
      const title = (this.currentTest.title ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      await e2e.shoot(e2e.page, `FAILED-zh-cn-${title}.png`, true);
    }
  });
  after(async () => {
    await e2e?.close();
  });

  const toast = (text: string | RegExp) =>
    e2e.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  const pane = (title: string): Locator =>
    e2e.page.locator('.part.sidebar .pane', { has: e2e.page.locator('.pane-header', { hasText: title }) });
  const form = (): Promise<FrameLocator> =>
    e2e.webviewFrame({ purpose: 'webviewView', visible: '#voiceName', what: 'sidebar Create Voice webview' });
  const step = (title: string) =>
    e2e.page.locator('.gettingStartedContainer .getting-started-step', { hasText: title }).first();

  it('the walkthrough is listed in Chinese, opens, and "Set your API key" ticks once a key is stored', async () => {
    const { page } = e2e;
    // (Its opening on install is walkthroughInstall.e2e.ts's; the test profiles turn that off. Here it is opened as a
    // user would, from Help: Welcome's list of walkthroughs.)
    await e2e.palette('Welcome: Open Walkthrough...');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: '可灵自定义音色入门' }).click();
    const container = page.locator('.gettingStartedContainer');
    await container.locator('text=可灵自定义音色入门').first().waitFor({ timeout: 60_000 });
    for (const title of ['设置 API 密钥', '挑选并检查样本', '创建音色', '试听音频', '在代码中使用音色 ID']) {
      assert.strictEqual(await step(title).count(), 1, `step ${title}`);
    }
    assert.strictEqual(await step('设置 API 密钥').locator('.codicon-getting-started-step-checked').count(), 0);
    // Every step opened in turn (only the selected one shows its description and buttons): no English of ours.
    const details = page.locator('.gettingStartedSlideDetails');
    let text = '';
    for (const title of ['挑选并检查样本', '创建音色', '试听音频', '在代码中使用音色 ID', '设置 API 密钥']) {
      await step(title).locator('.step-title').click();
      await step(title).locator('.step-description-container').waitFor({ state: 'visible' });
      text += (await userFacingText(details)) + '\n';
    }
    assert.ok(text.includes('可灵用 5–30 秒'), text);
    assert.deepStrictEqual(englishLeftovers(text, pieces), [], 'English in the walkthrough');
    await e2e.shoot(page, 'walkthrough-zh-cn.png', true);
    // The key through the palette, by its Chinese title; the notification that confirms it is Chinese too.
    await e2e.setKey(TEST_KEY);
    // A done step's checkbox is VS Code's getting-started-step-checked icon.
    const ticked = (title: string) => step(title).locator('.codicon-getting-started-step-checked').count();
    for (let i = 0; i < 80 && (await ticked('设置 API 密钥')) === 0; i++) {
      await page.waitForTimeout(250);
    }
    assert.strictEqual(await ticked('设置 API 密钥'), 1, 'the key step ticked');
    assert.strictEqual(await ticked('创建音色'), 0, 'no voice yet');
    await e2e.shoot(page, 'walkthrough-zh-cn-key-set.png', true);
  });

  it('the sidebar form is Chinese, and a too-long name is refused with a Chinese message', async () => {
    const { page } = e2e;
    await runCommand(page, 'View: Close All Editors');
    await e2e.activityBarItem().click();
    const f = await form();
    await f.locator('label[for="voiceName"]', { hasText: '音色名称' }).waitFor();
    await f.locator('#submit', { hasText: '创建音色' }).waitFor();
    await f.locator('legend', { hasText: '音频样本' }).waitFor();
    // The page itself says which language it was given (VS Code's vscode.env.language).
    assert.strictEqual(await f.locator('html').getAttribute('lang'), 'zh-cn');
    await f.locator('#voiceName').fill('这是一个非常非常长的音色名称超过二十个字符了');
    await f.locator('#voiceName-error', { hasText: '音色名称有 22 个字符；可灵最多接受 20 个' }).waitFor();
    assert.ok(await f.locator('#submit').isDisabled());
    await f.locator('#voiceName').fill('旁白');
    await f.locator('#voiceUrl').fill(`${e2e.files.url}/sample.wav`);
    await f.locator('#voiceName-error').waitFor({ state: 'hidden' });
    await e2e.shoot(page.locator('.part.sidebar'), 'sidebar-zh-cn.png');
  });

  it('a failed task shows the Chinese failure card, and My Voices lists it in Chinese', async () => {
    const f = await form();
    await f.locator('#voiceName').fill('短样本');
    await f.locator('#voiceUrl').fill(`${e2e.files.url}/short.wav`);
    await f.locator('#submit').click();
    await f.locator('#failure-title', { hasText: '可灵无法创建音色' }).waitFor({ timeout: 30_000 });
    await f.locator('#failure-message', { hasText: '原因：' }).waitFor();
    await f.locator('#failure-log', { hasText: '显示日志' }).waitFor();
    const voices = pane('我的音色');
    await voices.locator('.monaco-list-row', { hasText: '短样本' }).locator('text=失败：').first().waitFor({
      timeout: 20_000,
    });
    await e2e.shoot(e2e.page.locator('.part.sidebar'), 'sidebar-zh-cn-failed.png', true);
  });

  it('the trimmer is Chinese: its labels, the quality report and the warnings, and no English string of ours', async () => {
    const { page } = e2e;
    await runCommand(page, 'View: Close All Editors');
    await e2e.palette('View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'interview.wav' });
    await row.waitFor({ timeout: 30_000 });
    await row.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-label', { hasText: '在裁剪器中打开样本…' });
    await item.waitFor();
    await page.waitForTimeout(600); // the menu ignores the mouse-up of the right-click that opened it
    await item.hover();
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: '裁剪 interview.wav' }).waitFor({ timeout: 30_000 });
    const f = await e2e.webviewFrame({ purpose: null, marker: '#wave', visible: '#wave', what: 'trimmer webview' });
    await f.locator('#metrics dt').first().waitFor({ timeout: 30_000 });
    await f.locator('#warnings li').first().waitFor();
    assert.strictEqual(await f.locator('html').getAttribute('lang'), 'zh-cn');
    await f.locator('#report-title', { hasText: '质量报告（整个文件）' }).waitFor();
    await f.locator('#play', { hasText: '播放选区' }).waitFor();
    await f.locator('#suggested', { hasText: '推荐片段' }).waitFor();
    await f.locator('label[for="start"]', { hasText: '开始（秒）' }).waitFor();
    const text = await userFacingText(f.locator('body'));
    assert.match(text, /40(\.0)? 秒/, text);
    // Chinese typography: no space before a percent sign, full-width parentheses ("51.4%", "1（单声道）").
    assert.doesNotMatch(text, /\d %/, text);
    assert.ok(text.includes('1（单声道）'), text);
    assert.deepStrictEqual(englishLeftovers(text, pieces), [], `English in the trimmer:\n${text}`);
    await e2e.shoot(page, 'trimmer-zh-cn.png', true);
  });

  it('the trial player is Chinese, and shows no English string of ours', async () => {
    const { page } = e2e;
    await runCommand(page, 'View: Close All Editors');
    await e2e.activityBarItem().click();
    const presets = pane('预置音色');
    const header = presets.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') {
      await header.click();
    }
    const first = presets.locator('.monaco-list-row', { hasText: /\d{12,}/ }).first();
    await first.waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800); // the pane finishes opening
    await first.hover();
    await first.locator('.action-label[aria-label^="播放试听音频"]').click();
    const f = await e2e.webviewFrame({
      purpose: null,
      marker: '#player',
      visible: '#player-name',
      what: 'trial player',
    });
    await page.locator('.tabs-container .tab', { hasText: '试听：' }).waitFor();
    assert.strictEqual(await f.locator('html').getAttribute('lang'), 'zh-cn');
    await f.locator('#copy-id', { hasText: '复制音色 ID' }).waitFor();
    await f.locator('#insert-snippet', { hasText: '插入代码片段' }).waitFor();
    const text = await userFacingText(f.locator('body'));
    assert.ok(text.includes('音色 ID'), text);
    assert.deepStrictEqual(englishLeftovers(text, pieces), [], `English in the trial player:\n${text}`);
    await e2e.shoot(page, 'trial-player-zh-cn.png', true);
    await runCommand(page, 'View: Close All Editors');
  });

  it('a notification of the extension is Chinese, and so are the palette titles', async () => {
    await e2e.palette('可灵音色: 取消正在运行的任务');
    await toast('当前没有正在跟踪的可灵音色任务。').waitFor({ timeout: 15_000 });
    assert.deepStrictEqual(e2e.pageErrors, []);
    assert.deepStrictEqual(e2e.cspViolations, []);
  });
});
