// `npm run package`: the production bundles, then `vsce package` → dist/<name>-<version>.vsix; prints its path and size.
//   node tools/build/package.mjs          build and package
//   node tools/build/package.mjs --ls     only list the files the VSIX would hold (`vsce ls`, same README)
// The one place that says how the README's relative links (docs/images/*.png) are written into the package.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the README's relative links and images point in a Marketplace / Open VSX listing and on VS Code's page of
 * the extension (which does not resolve relative images in the installed folder either). There is no public
 * repository yet, so both are unset, and the packaged README leaves the screenshots out (see packagedReadme) rather
 * than show broken images. Before publishing to a registry, set them to the public location of this repository's
 * files (e.g. `https://github.com/<owner>/<repo>/raw/<tag>` for images and `…/blob/<tag>` for links): vsce then
 * prepends them to every relative link and the screenshots come back.
 */
export const README_BASE_URLS = { baseContentUrl: undefined, baseImagesUrl: undefined };

/** Where the README that goes into the VSIX is written (dist/ is not committed). */
const PACKAGED_README = path.join('dist', 'README.package.md');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');

/** True for a link that is neither absolute (`https:`, `data:`) nor an anchor. */
function isRelative(link) {
  return !/^[a-z][\w+.-]*:/i.test(link) && !link.startsWith('#');
}

/**
 * The README as packaged: unchanged when README_BASE_URLS.baseImagesUrl is set; otherwise without the images whose
 * source is relative (Markdown `![alt](path)` and `<img src="path">`), and without a paragraph they leave empty.
 */
export function packagedReadme(text, baseImagesUrl = README_BASE_URLS.baseImagesUrl) {
  if (baseImagesUrl) {
    return text;
  }
  return text
    .replace(/^[ \t]*!\[[^\]]*\]\(([^)\s]+)[^)]*\)[ \t]*\n/gm, (line, link) => (isRelative(link) ? '' : line))
    .replace(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g, (image, link) => (isRelative(link) ? '' : image))
    .replace(/<img\b[^>]*\bsrc=["']([^"']+)["'][^>]*>\s*/gi, (tag, link) => (isRelative(link) ? '' : tag))
    .replace(/<p>\s*<\/p>[ \t]*\n?/g, '');
}

/** The options of `vsce package` (the README it packages is written first, see main). */
export function vsceOptions() {
  const options = ['--no-dependencies', '--allow-missing-repository', '--readme-path', PACKAGED_README];
  const { baseContentUrl, baseImagesUrl } = README_BASE_URLS;
  if (baseContentUrl || baseImagesUrl) {
    if (baseContentUrl) {
      options.push('--baseContentUrl', baseContentUrl);
    }
    if (baseImagesUrl) {
      options.push('--baseImagesUrl', baseImagesUrl);
    }
  } else {
    options.push('--no-rewrite-relative-links');
  }
  return options;
}

function run(args) {
  try {
    execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  } catch (error) {
    // The command printed its own error above.
    process.exit(typeof error.status === 'number' && error.status > 0 ? error.status : 1);
  }
}

function writePackagedReadme() {
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.writeFileSync(
    path.join(root, PACKAGED_README),
    packagedReadme(fs.readFileSync(path.join(root, 'README.md'), 'utf8')),
  );
}

function main() {
  if (process.argv.includes('--ls')) {
    writePackagedReadme();
    run([vsce, 'ls', '--no-dependencies', '--readme-path', PACKAGED_README]);
    return;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = path.join('dist', `${manifest.name}-${manifest.version}.vsix`);
  run([path.join(root, 'tools', 'build', 'build.mjs'), '--production']);
  writePackagedReadme();
  fs.rmSync(path.join(root, out), { force: true });
  run([vsce, 'package', ...vsceOptions(), '--out', out]);
  const size = fs.statSync(path.join(root, out)).size;
  console.log(`VSIX: ${path.join(root, out)} (${(size / 1024).toFixed(0)} KB, ${size} bytes)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
