// Mocha reporter used by tools/test.sh: the usual spec output, plus the counts written as JSON
// ({passed, failed, pending}) to the file named by KLING_UNIT_RESULTS, so the script can add them up.
//   mocha --reporter ./out/tools/testhost/countingReporter.js
import * as fs from 'fs';
import Mocha from 'mocha';

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, pending: 0 };
    runner.on('pass', () => {
      counts.passed++;
    });
    // Also fires for a failing hook, which skips the tests it guards.
    runner.on('fail', () => {
      counts.failed++;
    });
    runner.on('pending', () => {
      counts.pending++;
    });
    runner.once('end', () => {
      const file = process.env.KLING_UNIT_RESULTS;
      if (file) {
        fs.writeFileSync(file, JSON.stringify(counts) + '\n');
      }
    });
  }
}

export = CountingReporter;
