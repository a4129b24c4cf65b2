// Shared set-up of the end-to-end tests: the API sandbox, a loopback host for sample files, code-server with
// this extension loaded and pointed at the sandbox, and Debian's Chromium driving the workbench.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../tools/sandbox';
import { sineWav } from '../../tools/sandbox/wav';
import {
  developmentPayload,
  launchBrowser,
  openWorkbench,
  runCommand,
  type LaunchedBrowser,
} from '../../tools/testhost/browser';
import { startCodeServer, type CodeServer } from '../../tools/testhost/codeServer';
import { ensureCodeServer } from '../../tools/testhost/install';
import { installStubLanguagePack, writeLanguagePacksIndex, writeLocale } from '../../tools/testhost/languagePack';
import { makeTempDir, removeDir, repoRoot } from '../../tools/testhost/util';

export interface FileServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves /sample.wav (an 8 s tone) and /short.wav (2 s) on loopback, like a public sample host. */
export async function startFileServer(): Promise<FileServer> {
  const wav = sineWav(8);
  const short = sineWav(2);
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = req.url === '/sample.wav' ? wav : req.url === '/short.wav' ? short : undefined;
    if (body) {
      res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(body.length) });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the tests read from a page's <audio> (the root tsconfig has no DOM types). */
export interface AudioLike {
  paused: boolean;
  src: string;
  error: { code: number } | null;
  pause(): void;
  addEventListener(type: string, listener: () => void, options?: { once?: boolean }): void;
}

/** Resolves once the <audio> plays (at once if it already does); rejects on a media error or after 10 s. */
export async function waitUntilPlaying(audio: Locator): Promise<void> {
  await audio.evaluate(
    (e) =>
      new Promise<void>((resolve, reject) => {
        const a = e as unknown as AudioLike;
        if (!a.paused) {
          resolve();
          return;
        }
        a.addEventListener('playing', () => resolve(), { once: true });
        a.addEventListener('error', () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
        setTimeout(() => reject(new Error('did not play within 10 s')), 10_000);
      }),
  );
}

/** Which of this extension's webviews to find. */
export interface WebviewQuery {
  /** `webviewView` for a sidebar view; null for an editor panel. */
  purpose: 'webviewView' | null;
  /** A selector only this page has (to tell the trimmer from the form's panel); any page when absent. */
  marker?: string;
  /** A selector to wait for, visible, before the frame is returned. */
  visible: string;
  /** Names the page in the error when none shows within 60 s. */
  what: string;
}

export interface E2E {
  root: string;
  /**
   * Where this extension's files must be served from: the checkout (or KLING_E2E_EXTENSION_PATH), or with
   * KLING_E2E_EXTENSIONS_DIR the extensions folder the VSIX was installed into (the extension is then not loaded as a
   * development extension at all).
   */
  extensionRoot: string;
  /** True when the run tests an installed copy (KLING_E2E_EXTENSIONS_DIR). */
  installed: boolean;
  /** Where the README's screenshots go (KLING_E2E_IMAGES, else docs/images). */
  imagesDir: string;
  sandbox: Sandbox;
  files: FileServer;
  server: CodeServer;
  browser: LaunchedBrowser;
  page: Page;
  workspace: string;
  pageErrors: string[];
  /** Console messages about Content Security Policy violations, from every frame (webviews included). */
  cspViolations: string[];
  /** The Kling Voice item of the activity bar. */
  activityBarItem(): Locator;
  /** Runs a palette command, once more after Escape if the first try finds no row (the palette can open early). */
  palette(title: string): Promise<void>;
  /** Saves a screenshot: `review` ones go to test-results/e2e, the others to docs/images (or KLING_E2E_IMAGES). */
  shoot(target: Locator | Page, name: string, review?: boolean): Promise<void>;
  /**
   * The content frame of a visible webview of this extension. Webviews are overlays outside their part; a view's
   * host iframe says purpose=webviewView in its URL, a panel's has none.
   */
  webviewFrame(query: WebviewQuery): Promise<FrameLocator>;
  /** Sets the API key through the palette, typed into the password box. */
  setKey(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface E2EOptions {
  apiKey: string;
  sandbox?: SandboxOptions;
  settings?: Record<string, unknown>;
  /**
   * User keybindings (`keybindings.json`), e.g. to run a command with arguments from a key; given the URL of the
   * sample file server.
   */
  keybindings?: (filesUrl: string) => { key: string; command: string; args?: unknown }[];
  /** Files to create in the workspace (name → contents). */
  workspaceFiles?: Record<string, string | Buffer>;
  /** The workbench's display language (`--locale`, with a stub language pack so the extension follows it). */
  locale?: 'zh-cn';
}

/** The few words the harness itself looks for, in the workbench's language. */
const HARNESS_TEXT = {
  en: { container: 'Kling Voice', setKey: 'Kling Voice: Set API Key', keySaved: 'Kling API key saved' },
  'zh-cn': { container: '可灵音色', setKey: '可灵音色: 设置 API 密钥', keySaved: '可灵 API 密钥已保存' },
} as const;

export async function startE2E(options: E2EOptions): Promise<E2E> {
  const root = repoRoot();
  const installedDir = process.env.KLING_E2E_EXTENSIONS_DIR
    ? path.resolve(process.env.KLING_E2E_EXTENSIONS_DIR)
    : undefined;
  const installedCopy = installedDir
    ? fs.readdirSync(installedDir).find((name) => name.startsWith('klingvoice.kling-custom-voice-'))
    : undefined;
  if (installedDir && !installedCopy) {
    throw new Error(`KLING_E2E_EXTENSIONS_DIR=${installedDir} holds no installed klingvoice.kling-custom-voice`);
  }
  const extensionPath =
    installedDir && installedCopy
      ? path.join(installedDir, installedCopy)
      : process.env.KLING_E2E_EXTENSION_PATH
        ? path.resolve(process.env.KLING_E2E_EXTENSION_PATH)
        : root;
  const imagesDir = process.env.KLING_E2E_IMAGES
    ? path.resolve(process.env.KLING_E2E_IMAGES)
    : path.join(root, 'docs', 'images');
  for (const file of ['dist/extension.js', 'dist/createForm.js']) {
    if (!fs.existsSync(path.join(extensionPath, file))) {
      throw new Error(`${file} is missing in ${extensionPath}: run \`npm run build\` first`);
    }
  }
  const sandbox = await startSandbox({ apiKey: options.apiKey, processingDelayMs: 2500, ...options.sandbox });
  const files = await startFileServer();
  const workspace = makeTempDir('e2e-workspace');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# Kling Voice e2e workspace\n');
  for (const [name, contents] of Object.entries(options.workspaceFiles ?? {})) {
    fs.writeFileSync(path.join(workspace, name), contents);
  }
  const text = HARNESS_TEXT[options.locale ?? 'en'];
  // The installed copy's extensions folder, or (for a display language) one for the stub language pack.
  const extensionsDir = installedDir ?? (options.locale ? makeTempDir('e2e-extensions') : undefined);
  const userDataDir = options.locale ? makeTempDir('e2e-user-data') : undefined;
  if (extensionsDir && userDataDir && options.locale) {
    writeLanguagePacksIndex(userDataDir, installStubLanguagePack(extensionsDir, options.locale), options.locale);
    writeLocale(userDataDir, options.locale);
  }
  const server = await startCodeServer({
    bin: await ensureCodeServer(),
    workspaceFolder: workspace,
    extensionsDir,
    userDataDir,
    extraArgs: options.locale ? ['--locale', options.locale] : [],
    settings: {
      'klingVoice.apiBaseUrl': sandbox.url,
      'klingVoice.pollIntervalSeconds': 0.2,
      // The speaker's consent question is not what these tests are about (a test can set it back to false).
      'klingVoice.consent.preAccepted': true,
      'workbench.colorTheme': process.env.KLING_E2E_THEME || 'Default Dark Modern',
      'window.commandCenter': false,
      'chat.commandCenter.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      ...options.settings,
    },
    env: { EXTENSIONS_GALLERY: '{}' },
  });
  if (options.keybindings) {
    fs.writeFileSync(
      path.join(server.userDataDir, 'User', 'keybindings.json'),
      JSON.stringify(options.keybindings(files.url), null, 2),
    );
  }
  const browser = await launchBrowser({
    headed: process.env.KLING_E2E_HEADED === '1',
    viewport: { width: 1280, height: 900 },
  });
  const page = browser.page;
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  const pageErrors: string[] = [];
  const cspViolations: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) {
      cspViolations.push(m.text());
    }
  });
  // An installed copy is loaded as any installed extension is: no development payload.
  await openWorkbench(
    page,
    server.url,
    workspace,
    installedDir ? undefined : developmentPayload(server.url, extensionPath),
  );
  const activityBarItem = () => page.locator(`.activitybar .action-item a[aria-label^="${text.container}"]`);
  // The workbench draws before it has read the extension's contributions; the activity-bar item shows they are in.
  await activityBarItem().waitFor({ state: 'visible', timeout: 60_000 });
  const webviewFrame = async (query: WebviewQuery): Promise<FrameLocator> => {
    const hosts = page.locator('iframe.webview.ready');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const count = await hosts.count();
      for (let i = 0; i < count; i++) {
        const host = hosts.nth(i);
        const url = new URL((await host.getAttribute('src')) ?? '', server.url);
        if (
          url.searchParams.get('extensionId') === 'klingvoice.kling-custom-voice' &&
          url.searchParams.get('purpose') === query.purpose &&
          (await host.isVisible())
        ) {
          const frame = host.contentFrame().frameLocator('iframe#active-frame');
          if (query.marker === undefined || (await frame.locator(query.marker).count()) > 0) {
            await frame.locator(query.visible).waitFor({ state: 'visible', timeout: 30_000 });
            return frame;
          }
        }
      }
      if (Date.now() > deadline) {
        const srcs = await hosts.evaluateAll((list) => list.map((f) => (f as unknown as { src: string }).src));
        throw new Error(`no visible ${query.what} among:\n${srcs.join('\n')}`);
      }
      await page.waitForTimeout(250);
    }
  };
  const palette = async (title: string) => {
    try {
      await runCommand(page, title);
    } catch {
      await page.keyboard.press('Escape');
      await runCommand(page, title, 30_000);
    }
  };

  return {
    root,
    extensionRoot: extensionsDir ?? extensionPath,
    installed: extensionsDir !== undefined,
    imagesDir,
    sandbox,
    files,
    server,
    browser,
    page,
    workspace,
    pageErrors,
    cspViolations,
    activityBarItem,
    palette,
    webviewFrame,
    async shoot(target, name, review = false) {
      await page.waitForTimeout(300); // let the caret and fades settle
      const dir = review ? path.join(root, 'test-results', 'e2e') : imagesDir;
      fs.mkdirSync(dir, { recursive: true });
      await target.screenshot({ path: path.join(dir, name) });
    },
    async setKey(key) {
      await palette(text.setKey);
      const box = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
      await box.waitFor({ state: 'visible', timeout: 15_000 });
      await box.fill(key);
      await page.keyboard.press('Enter');
      await page.locator('.notifications-toasts', { hasText: text.keySaved }).waitFor({ timeout: 15_000 });
      await palette('Notifications: Clear All Notifications');
    },
    async close() {
      await browser.close();
      await server.stop();
      await sandbox.close();
      await files.close();
      removeDir(workspace);
      for (const dir of [extensionsDir, userDataDir]) {
        if (dir) {
          removeDir(dir);
        }
      }
    },
  };
}
