// Entry point of the integration suite inside a VS Code extension host (code-server or desktop VS Code):
// the host loads this module as `extensionTestsPath` and awaits `run()`.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

/** What the suite writes to the file named by KLING_TEST_RESULTS, for the runner to count. */
export interface IntegrationResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

function findTestFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...findTestFiles(full));
    } else if (entry.isFile() && entry.name.endsWith('.test.js')) {
      files.push(full);
    }
  }
  return files.sort();
}

function writeResults(results: IntegrationResults): void {
  const file = process.env.KLING_TEST_RESULTS;
  if (file) {
    fs.writeFileSync(file, JSON.stringify(results, undefined, 2) + '\n');
  }
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, forbidOnly: true });
  if (process.env.KLING_TEST_GREP) {
    mocha.grep(new RegExp(process.env.KLING_TEST_GREP));
  }
  // KLING_TEST_FILES: only the files whose path matches (the installed-copy run takes the smoke tests, which need no
  // source of the checkout).
  const only = process.env.KLING_TEST_FILES ? new RegExp(process.env.KLING_TEST_FILES) : undefined;
  const files = findTestFiles(__dirname).filter((file) => !only || only.test(path.relative(__dirname, file)));
  for (const file of files) {
    mocha.addFile(file);
  }

  const results: IntegrationResults = { passed: 0, failed: 0, pending: 0, failures: [] };
  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        writeResults(results);
        if (failures > 0) {
          reject(new Error(`${failures} integration test(s) failed.`));
        } else if (results.passed === 0) {
          reject(new Error(`No integration test ran (found ${files.length} file(s) under ${__dirname}).`));
        } else {
          resolve();
        }
      });
      runner.on('pass', () => {
        results.passed++;
      });
      runner.on('pending', () => {
        results.pending++;
      });
      // Also fires for failing hooks, which stop the tests of their suite.
      runner.on('fail', (test, error: unknown) => {
        results.failed++;
        results.failures.push({
          title: test.fullTitle(),
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
      });
    } catch (error) {
      // A test file that throws while loading ends up here.
      results.failed++;
      results.failures.push({
        title: 'loading the integration test files',
        error: String((error as Error).stack ?? error),
      });
      writeResults(results);
      reject(error);
    }
  });
}
