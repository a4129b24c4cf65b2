// `npm start` (after tools/start.sh has built): the local API sandbox plus code-server with this extension
// installed (a symlink to the checkout) on a demo folder, settings pointing the extension at the sandbox.
// Stays in the foreground until Ctrl+C, then stops both.
//   PORT                 code-server port on 127.0.0.1 (default 8080)
//   KLING_SANDBOX_URL    use an API sandbox (or server) already running instead of starting one
//   KLING_TEST_VERBOSE   echo code-server's own log
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { add, concat, noise, silence, speechLike, wavBytes } from '../fixtures/audio';
import { startS3Server } from '../fakes/s3server';
import { startUploadEndpoint } from '../fakes/uploadEndpoint';
import { startCodeServer, type CodeServer } from './codeServer';
import { ensureCodeServer } from './install';
import { killProcessTree, log, makeTempDir, removeDir, repoRoot, seconds, UserFacingError } from './util';

interface Manifest {
  publisher: string;
  name: string;
  version: string;
  main?: string;
}

interface RunningSandbox {
  url: string;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts `node out/tools/sandbox/cli.js --port 0` and reads its URL from the line it prints. */
function startSandbox(root: string): Promise<RunningSandbox> {
  const cli = path.join(root, 'out', 'tools', 'sandbox', 'cli.js');
  if (!fs.existsSync(cli)) {
    throw new UserFacingError(`${path.relative(root, cli)} is missing: run \`npm run compile-tests\` first.`);
  }
  const child: ChildProcess = spawn(process.execPath, [cli, '--port', '0', '--host', '127.0.0.1'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      await killProcessTree(child.pid, { graceMs: 3000 });
    }
  };
  return new Promise((resolve, reject) => {
    let buffered = '';
    let found = false;
    const timer = setTimeout(() => {
      void stop();
      reject(new UserFacingError('The Kling sandbox did not print its URL within 20 s.'));
    }, 20_000);
    child.stdout?.on('data', (data: Buffer) => {
      const text = data.toString();
      if (found) {
        process.stdout.write(text);
        return;
      }
      buffered += text;
      const match = /Kling sandbox listening on (\S+)/.exec(buffered);
      if (match) {
        found = true;
        clearTimeout(timer);
        resolve({ url: match[1], stop, exited });
      }
    });
    void exited.then((code) => {
      if (!found) {
        clearTimeout(timer);
        reject(new UserFacingError(`The Kling sandbox exited (code ${code}) before it listened. Output:\n${buffered}`));
      }
    });
  });
}

/** The folder the demo opens; files are only added when missing, so edits made in a session stay. */
function prepareDemoWorkspace(root: string): string {
  const folder = path.join(root, '.vscode-test', 'demo-workspace');
  fs.mkdirSync(folder, { recursive: true });
  const files: Record<string, string | Buffer> = {
    'README.md':
      '# Kling Custom Voice demo\n\n' +
      'This folder is opened by `npm start`. The extension talks to a local Kling API sandbox,\n' +
      'which accepts any API key:\n\n' +
      '1. Run **Kling Voice: Set API Key** from the Command Palette (Ctrl+Shift+P) and enter any text.\n' +
      '2. Run **Kling Voice: Create Voice…**, use the Kling Voice sidebar, or right-click `sample-voice.wav` →\n' +
      '   **Create Kling Voice from File…** (it is uploaded to a local upload endpoint that `npm start` runs).\n' +
      '3. Right-click `long-interview.wav` (35 s, too long for Kling) → **Open Sample in Trimmer…** to pick\n' +
      '   a 5–30 s window, hear it, and create the voice from the selection.\n' +
      '4. **Kling Voice: Show Log** shows every request the extension made.\n\n' +
      'To try the S3 provider instead, set `klingVoice.upload.provider` to `s3` and run\n' +
      '**Kling Voice: Set Upload Credentials** with the keys `npm start` printed.\n',
    'script.txt': 'Hello! This is my cloned voice, reading a short line for the demo.\n',
    'sample-voice.wav': wavBytes([speechLike(8)]),
    'long-interview.wav': wavBytes([
      add(concat(silence(3), speechLike(22), silence(2), speechLike(8)), noise(35, 16000, 0.002)),
    ]),
  };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(folder, name);
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, content);
    }
  }
  return folder;
}

/** An extensions folder holding this checkout as an installed extension (a symlink: rebuilds show after a window reload). */
function prepareExtensionsDir(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  if (manifest.main && !fs.existsSync(path.join(root, manifest.main))) {
    throw new UserFacingError(`${manifest.main} is missing: run \`npm run build\` first.`);
  }
  const dir = makeTempDir('extensions');
  fs.symlinkSync(root, path.join(dir, `${manifest.publisher}.${manifest.name}-${manifest.version}`), 'dir');
  return dir;
}

async function main(): Promise<void> {
  const started = Date.now();
  const root = repoRoot();
  const port = Number(process.env.PORT || 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new UserFacingError(`PORT must be a TCP port number, got '${process.env.PORT}'.`);
  }

  const cleanups: (() => Promise<void> | void)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) {
      return;
    }
    stopping = true;
    while (cleanups.length > 0) {
      await (cleanups.pop() as () => Promise<void> | void)();
    }
    process.exit(code);
  };
  process.once('SIGINT', () => {
    log('stopping');
    void stopAll(0);
  });
  process.once('SIGTERM', () => void stopAll(0));

  try {
    const bin = await ensureCodeServer();

    let sandboxUrl = process.env.KLING_SANDBOX_URL;
    let sandbox: RunningSandbox | undefined;
    if (!sandboxUrl) {
      sandbox = await startSandbox(root);
      cleanups.push(() => sandbox?.stop());
      sandboxUrl = sandbox.url;
    }
    log(`API sandbox: ${sandboxUrl}`);

    // Where right-clicked samples are uploaded: a generic HTTP endpoint (no credentials needed, the default
    // here) and an S3-compatible server that checks signatures (its keys go in with Set Upload Credentials).
    const uploads = await startUploadEndpoint();
    cleanups.push(() => uploads.close());
    const s3 = await startS3Server();
    cleanups.push(() => s3.close());
    log(
      `upload endpoint: ${uploads.url}/upload; S3: ${s3.endpoint} bucket ${s3.bucket}, access key id ${s3.accessKeyId}, secret ${s3.secretAccessKey}`,
    );

    const folder = prepareDemoWorkspace(root);
    const extensionsDir = prepareExtensionsDir(root);
    cleanups.push(() => removeDir(extensionsDir));

    const server: CodeServer = await startCodeServer({
      bin,
      workspaceFolder: folder,
      port,
      extensionsDir,
      settings: {
        'klingVoice.apiBaseUrl': sandboxUrl,
        'klingVoice.upload.provider': 'http',
        'klingVoice.upload.http.url': `${uploads.url}/upload`,
        'klingVoice.upload.http.responseUrlPath': 'data.url',
        'klingVoice.upload.s3.endpoint': s3.endpoint,
        'klingVoice.upload.s3.bucket': s3.bucket,
      },
    });
    cleanups.push(() => server.stop());
    log(`ready in ${seconds(started)}; press Ctrl+C to stop`);
    process.stdout.write(`Open ${server.url}/?folder=${encodeURIComponent(folder)}\n`);

    const ended = await Promise.race([
      server.exited.then(
        (code) => `code-server exited (code ${code}):\n${server.output().split('\n').slice(-30).join('\n')}`,
      ),
      sandbox
        ? sandbox.exited.then((code) => `the Kling sandbox exited (code ${code})`)
        : new Promise<string>(() => undefined),
    ]);
    if (!stopping) {
      log(`${ended}\nstopping`);
      await stopAll(1);
    }
  } catch (error) {
    process.stderr.write(
      `[testhost] ${error instanceof UserFacingError ? error.message : String((error as Error).stack ?? error)}\n`,
    );
    await stopAll(1);
  }
}

if (require.main === module) {
  void main();
}
