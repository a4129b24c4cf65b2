// Drives the code-server workbench from Debian's Chromium through playwright-core (no browser download).
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { makeTempDir, removeDir, UserFacingError } from './util';

/** Flags that keep Chromium from reaching the network on its own and let it run as root in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
];

/** `KLING_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  const file = process.env.KLING_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(file)) {
    throw new UserFacingError(
      `Chromium not found at ${file}: install the Debian package 'chromium' or set KLING_CHROMIUM.`,
    );
  }
  return file;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** The first tab, ready to use. */
  page: Page;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Show the window (needs a display); headless by default. */
  headed?: boolean;
  viewport?: { width: number; height: number };
}

/** Launches Chromium with a fresh profile folder. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const userDataDir = makeTempDir('chromium');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: !options.headed,
      args: [...CHROMIUM_ARGS],
      viewport: options.viewport ?? { width: 1400, height: 900 },
      // Playwright's own Ctrl+C handler would exit the process before the caller cleans up; callers
      // close the browser themselves (and Playwright still kills it if the process exits).
      handleSIGINT: false,
      handleSIGTERM: false,
      // Chromium keeps crash reports (and PulseAudio its cookie) under XDG_CONFIG_HOME whatever the
      // profile folder: keep them in the temp folder too.
      env: {
        ...process.env,
        XDG_CONFIG_HOME: path.join(userDataDir, 'xdg-config'),
        XDG_CACHE_HOME: path.join(userDataDir, 'xdg-cache'),
      },
    });
  } catch (error) {
    removeDir(userDataDir);
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    close: async () => {
      if (closed) {
        return;
      }
      closed = true;
      await context.close().catch(() => undefined);
      removeDir(userDataDir);
    },
  };
}

/** A `vscode-remote://` URI for a path on the code-server machine, as the workbench payload expects. */
export function remoteUri(serverUrl: string, absolutePath: string): string {
  const { host } = new URL(serverUrl);
  return `vscode-remote://${host}${absolutePath}`;
}

/** The `payload` entries that load an extension under development (and optionally run its tests). */
export function developmentPayload(
  serverUrl: string,
  extensionDevelopmentPath: string,
  extensionTestsPath?: string,
): [string, string][] {
  const payload: [string, string][] = [['extensionDevelopmentPath', remoteUri(serverUrl, extensionDevelopmentPath)]];
  if (extensionTestsPath) {
    payload.push(['extensionTestsPath', remoteUri(serverUrl, extensionTestsPath)]);
  }
  return payload;
}

/** The workbench URL for a folder on the code-server machine, with an optional payload. */
export function workbenchUrl(serverUrl: string, folder: string, payload?: [string, string][]): string {
  let url = `${serverUrl.replace(/\/$/, '')}/?folder=${encodeURIComponent(folder)}`;
  if (payload && payload.length > 0) {
    url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }
  return url;
}

/** Opens the workbench on `folder` and waits until it is rendered. */
export async function openWorkbench(
  page: Page,
  serverUrl: string,
  folder: string,
  payload?: [string, string][],
  timeoutMs = 60_000,
): Promise<void> {
  await page.goto(workbenchUrl(serverUrl, folder, payload), { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Runs a command by its palette title (e.g. "Kling Voice: Set API Key"), as a user would. */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  // The workbench sees the shortcut wherever focus is (webviews forward their key presses to it).
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(`>${title}`);
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exact }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** The content frame of the webview whose host iframe matches `selector` (the active one by default). */
export function webviewFrame(page: Page, selector = 'iframe.webview.ready'): FrameLocator {
  return page.frameLocator(selector).frameLocator('iframe#active-frame');
}
