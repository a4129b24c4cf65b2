// The packaged extension in the test host: where `npm run package` writes the VSIX, installing it into a fresh
// extensions folder with code-server's own `--install-extension`, and a stand-in development extension so that
// a test run (which VS Code only starts for a development extension) loads the installed copy, not the checkout.
import * as fs from 'fs';
import * as path from 'path';
import { cleanChildEnv, makeTempDir, removeDir, repoRoot, runCommand } from './util';

interface Manifest {
  name: string;
  publisher: string;
  version: string;
  main?: string;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** `publisher.name`, as `vscode.extensions.getExtension` takes it. */
export function extensionId(root = repoRoot()): string {
  const manifest = readManifest(root);
  return `${manifest.publisher}.${manifest.name}`.toLowerCase();
}

/** `dist/<name>-<version>.vsix`, as `npm run package` (tools/build/package.mjs) writes it. */
export function vsixPath(root = repoRoot()): string {
  const manifest = readManifest(root);
  return path.join(root, 'dist', `${manifest.name}-${manifest.version}.vsix`);
}

export interface InstalledExtension {
  /** The extensions folder given to code-server. */
  extensionsDir: string;
  /** The installed copy: `<extensionsDir>/<publisher>.<name>-<version>`. */
  extensionPath: string;
  /** What `--install-extension` printed. */
  output: string;
}

/**
 * Installs `vsix` into `extensionsDir` with `code-server --install-extension` (as a user would with
 * `code --install-extension`), offline: no gallery, throw-away user data. Throws with code-server's output when the
 * install fails or the installed folder lacks the manifest's `main`.
 */
export async function installVsix(bin: string, vsix: string, extensionsDir: string): Promise<InstalledExtension> {
  if (!fs.existsSync(vsix)) {
    throw new Error(`${vsix} is missing: run \`npm run package\` first.`);
  }
  fs.mkdirSync(extensionsDir, { recursive: true });
  const scratch = makeTempDir('vsix-install');
  // An explicit config file keeps code-server from writing ~/.config/code-server/config.yaml.
  const configFile = path.join(scratch, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  try {
    const args = [bin, '--config', configFile, '--user-data-dir', path.join(scratch, 'user-data')];
    args.push('--extensions-dir', extensionsDir, '--install-extension', vsix);
    const result = await runCommand(process.execPath, args, {
      env: cleanChildEnv({ XDG_DATA_HOME: path.join(scratch, 'data'), EXTENSIONS_GALLERY: '{}' }),
    });
    const id = extensionId();
    const folder = fs
      .readdirSync(extensionsDir)
      .find(
        (name) =>
          name.toLowerCase().startsWith(`${id}-`) && fs.existsSync(path.join(extensionsDir, name, 'package.json')),
      );
    if (result.code !== 0 || !folder) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.code}):\n${result.output}`);
    }
    const extensionPath = path.join(extensionsDir, folder);
    const main = readManifest(extensionPath).main;
    if (!main || !fs.existsSync(path.join(extensionPath, main))) {
      throw new Error(`the installed copy in ${extensionPath} lacks its main file (${main ?? 'none declared'})`);
    }
    return { extensionsDir, extensionPath, output: result.output };
  } finally {
    removeDir(scratch);
  }
}

/**
 * A development extension with nothing in it but a manifest. VS Code runs `extensionTestsPath` only alongside an
 * `extensionDevelopmentPath`; pointing that at this folder (another id than the extension under test) leaves the
 * installed copy as the one the host loads. The caller removes the folder when done.
 */
export function createProbeExtension(): string {
  const dir = makeTempDir('probe-extension');
  const manifest = {
    name: 'installed-copy-probe',
    publisher: 'klingvoice-test',
    version: '0.0.0',
    description: 'Stands in as the development extension so that tests run against an installed VSIX.',
    engines: { vscode: '*' },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, undefined, 2) + '\n');
  return dir;
}

/**
 * Packages the extension with vsce as `npm run package` does, but from dist/ as it is (no production build: the
 * end-to-end run's own build) and with a one-line README; `version` (e.g. a later one, to install as an update)
 * replaces the manifest's in the package only. Resolves with `out`; throws with vsce's output when it fails.
 */
export async function packageVsix(out: string, version?: string): Promise<string> {
  const root = repoRoot();
  // vsce takes a README only from inside the folder it packages (dist/ is not committed, and not shipped as such).
  const readme = path.join('dist', `README.e2e-${process.pid}.md`);
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.writeFileSync(path.join(root, readme), '# Kling Custom Voice\n\nPackaged by the end-to-end tests.\n');
  try {
    const args = [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package'];
    if (version) {
      args.push(version, '--no-update-package-json', '--no-git-tag-version');
    }
    args.push('--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links');
    args.push('--readme-path', readme, '--out', out);
    const result = await runCommand(process.execPath, args, { cwd: root, env: cleanChildEnv() });
    if (result.code !== 0 || !fs.existsSync(out)) {
      throw new Error(`vsce package failed (exit ${result.code}):\n${result.output}`);
    }
    return out;
  } finally {
    fs.rmSync(path.join(root, readme), { force: true });
  }
}
