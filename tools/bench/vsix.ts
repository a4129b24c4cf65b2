// The VSIX's size against its budget, with what takes the room: the entries' compressed sizes, read from the zip's
// central directory (no unzip tool needed). Part of `npm run bench` (see load.ts).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface ZipEntry {
  name: string;
  compressed: number;
  size: number;
}

/** The entries of a zip file, from its central directory. */
export function zipEntries(file: string): ZipEntry[] {
  const zip = fs.readFileSync(file);
  // End of central directory: 22 bytes plus a comment of at most 64 KiB, at the end.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    throw new Error(`${file} is not a zip file`);
  }
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) {
      throw new Error(`${file}: bad central directory entry ${i}`);
    }
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      compressed: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

const KB = 1024;
const BUDGET = 150 * KB;
/** What the budget cannot hold, whatever our code does: the two audio libraries, the translations, the README. */
const FIXED = [
  'extension/dist/mpg123-decoder.js',
  'extension/dist/music-metadata.js',
  'extension/l10n/bundle.l10n.zh-cn.json',
  'extension/readme.md',
];

/** Packages the VSIX (`npm run package`) and prints its size, its budget and the biggest entries. */
export function benchVsix(root: string): void {
  const out = execFileSync(process.execPath, [path.join(root, 'tools', 'build', 'package.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  const vsix = /^VSIX: (.+) \(/m.exec(out)?.[1];
  if (!vsix) {
    throw new Error(`npm run package printed no VSIX path:\n${out}`);
  }
  const size = fs.statSync(vsix).size;
  const entries = zipEntries(vsix).sort((a, b) => b.compressed - a.compressed);
  const kb = (n: number) => `${(n / KB).toFixed(0)} KB`;
  const ok = size <= BUDGET;
  console.log(
    `VSIX               ${kb(size)} ${ok ? '✔' : '✖'} (budget 150 KB)${ok ? '' : `: over by ${kb(size - BUDGET)}`}`,
  );
  for (const e of entries.slice(0, 8)) {
    console.log(
      `  ${e.name.replace(/^extension\//, '').padEnd(34)} ${kb(e.compressed).padStart(6)} compressed (${kb(e.size)})`,
    );
  }
  if (!ok) {
    const fixed = entries.filter((e) => FIXED.includes(e.name)).reduce((n, e) => n + e.compressed, 0);
    console.log(
      `  why: the MP3 decoder (WebAssembly, which does not compress), music-metadata, the Chinese translations and ` +
        `the README alone take ${kb(fixed)} of the package; the budget would leave ${kb(Math.max(0, BUDGET - fixed))} ` +
        `for the extension's own code, its pages and the audio worker.`,
    );
  }
}
