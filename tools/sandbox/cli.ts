/**
 * Command line entry of the Kling sandbox (developer tooling, not shipped).
 *
 *   node out/tools/sandbox/cli.js [--port N] [--host H] [--api-key K] [--delay-ms N] [--prefix /kling] [--quiet]
 *
 * Each option can also come from the environment: KLING_SANDBOX_PORT, KLING_SANDBOX_HOST, KLING_SANDBOX_API_KEY,
 * KLING_SANDBOX_DELAY_MS, KLING_SANDBOX_PREFIX, KLING_SANDBOX_QUIET=1 (flags win). Prints exactly one line
 * `Kling sandbox listening on <url>` to stdout; the request log goes to stderr. Stops cleanly on SIGINT / SIGTERM.
 */
import { startSandbox, type SandboxOptions } from './index';

const USAGE =
  'usage: node out/tools/sandbox/cli.js [--port N] [--host H] [--api-key K] [--delay-ms N] [--prefix /kling] [--quiet]';

interface CliConfig {
  options: SandboxOptions;
  quiet: boolean;
}

function toInt(name: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  }
  return Number(value);
}

export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig | 'help' {
  const raw: Record<string, string | undefined> = {
    port: env.KLING_SANDBOX_PORT,
    host: env.KLING_SANDBOX_HOST,
    'api-key': env.KLING_SANDBOX_API_KEY,
    'delay-ms': env.KLING_SANDBOX_DELAY_MS,
    prefix: env.KLING_SANDBOX_PREFIX,
  };
  let quiet = env.KLING_SANDBOX_QUIET === '1' || env.KLING_SANDBOX_QUIET === 'true';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      return 'help';
    }
    if (arg === '--quiet' || arg === '-q') {
      quiet = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !(m[1] in raw)) {
      throw new Error(`unknown argument "${arg}"`);
    }
    let value = m[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) {
        throw new Error(`--${m[1]} needs a value`);
      }
    }
    raw[m[1]] = value;
  }
  const options: SandboxOptions = {};
  if (raw.port) {
    options.port = toInt('--port', raw.port);
  }
  if (raw.host) {
    options.host = raw.host;
  }
  if (raw['api-key']) {
    options.apiKey = raw['api-key'];
  }
  if (raw['delay-ms']) {
    options.processingDelayMs = toInt('--delay-ms', raw['delay-ms']);
  }
  if (raw.prefix) {
    options.pathPrefix = raw.prefix;
  }
  return { options, quiet };
}

async function main(): Promise<void> {
  let config: CliConfig | 'help';
  try {
    config = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { options, quiet } = config;
  if (!quiet) {
    options.log = (line) => process.stderr.write(`[sandbox] ${line}\n`);
  }
  const sandbox = await startSandbox(options);
  process.stdout.write(`Kling sandbox listening on ${sandbox.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    if (!quiet) {
      process.stderr.write(`[sandbox] ${signal}: shutting down\n`);
    }
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`Kling sandbox failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
