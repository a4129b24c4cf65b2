// `npm version <major|minor|patch>` runs this (the `version` script, after package.json has the new version and
// before npm commits and tags): the entries under "## Unreleased" in CHANGELOG.md become "## <version>", under a
// new, empty "## Unreleased".
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** CHANGELOG.md with its Unreleased entries under `version`; throws when there are none or the version is taken. */
export function releaseChangelog(text, version) {
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
    throw new Error(`not a version: ${version}`);
  }
  const escaped = version.replace(/\./g, '\\.');
  if (new RegExp(`^## ${escaped}(\\s|$)`, 'm').test(text)) {
    throw new Error(`CHANGELOG.md already has a heading for ${version}`);
  }
  const match = /^## Unreleased[ \t]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text);
  if (!match || match[1].trim() === '') {
    throw new Error('CHANGELOG.md has no entries under "## Unreleased": write them before `npm version`');
  }
  return `${text.slice(0, match.index)}## Unreleased\n\n## ${version}\n${match[1]}${text.slice(match.index + match[0].length)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const file = path.join(root, 'CHANGELOG.md');
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  try {
    fs.writeFileSync(file, releaseChangelog(fs.readFileSync(file, 'utf8'), version));
  } catch (error) {
    console.error(`changelog: ${error.message}`);
    process.exit(1);
  }
  console.log(`CHANGELOG.md: the Unreleased entries are now under ## ${version}`);
}
