// Renders the Marketplace / Open VSX icon, media/icon.png (128×128), from the activity-bar glyph media/kling-voice.svg
// on a rounded tile, with Debian's Chromium (playwright-core, offline). Run again when the glyph changes:
//   node tools/build/icon.mjs
// The PNG is committed: packaging does not need a browser.
import * as fs from 'node:fs';
import { chromium } from 'playwright-core';

const glyph = fs
  .readFileSync('media/kling-voice.svg', 'utf8')
  .replace('stroke="currentColor"', 'stroke="#ffffff"')
  .replace(/width="24" height="24"/, 'width="88" height="88"');
const html = `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:128px;height:128px;border-radius:28px;display:flex;align-items:center;justify-content:center;
background:linear-gradient(135deg,#3b5bdb 0%,#7048e8 55%,#ae3ec9 100%)">${glyph}</div></body></html>`;

const browser = await chromium.launch({
  executablePath: process.env.KLING_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.screenshot({ path: 'media/icon.png', omitBackground: true });
} finally {
  await browser.close();
}
console.log('wrote media/icon.png');
