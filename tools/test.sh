#!/usr/bin/env bash
# `npm test`: lint (eslint and the import-cycle check), formatting (prettier --check), typecheck, build, unit tests, the integration tests in a real VS Code extension host
# (code-server + Chromium, see tools/testhost), then the end-to-end tests (Chromium driving the workbench), all
# with the extension loaded from this checkout; last, the VSIX (`npm run package`) installed into code-server and
# the smoke and Create Voice tests run again against that installed copy.
# The last line is always "N passed, N failed" (tests over all suites); the exit status is non-zero if
# anything failed.
#
# Lint and typecheck failures do not stop the tests from running, so one run shows everything.
# A step that fails without failing a test (lint, typecheck, build, a suite that did not run)
# counts as one failure, so the last line never reads "0 failed" for a failed run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

work="$(mktemp -d "${TMPDIR:-/tmp}/kling-voice-npm-test-XXXXXX")"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failed_steps=()

# step NAME COMMAND...: runs one step with a header and its duration; returns its exit status.
step() {
  local name="$1"
  shift
  local started=$SECONDS
  echo "==> ${name}"
  local status=0
  "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "==> ${name}: ok ($((SECONDS - started)) s)"
  else
    echo "==> ${name}: FAILED (exit ${status}, $((SECONDS - started)) s)" >&2
  fi
  return "$status"
}

fail_step() {
  failed_steps+=("$1")
  failed=$((failed + 1))
}

# add_counts NAME FILE STATUS: adds {passed, failed} from a suite's results file to the totals.
add_counts() {
  local name="$1" file="$2" status="$3"
  if [ ! -s "$file" ]; then
    echo "npm test: ${name} reported no results (the suite did not run to the end)." >&2
    fail_step "$name"
    return
  fi
  local counts
  counts="$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(`${r.passed | 0} ${r.failed | 0}`)' "$file")"
  local p="${counts% *}" f="${counts#* }"
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$f" -gt 0 ]; then
    failed_steps+=("$name")
  elif [ "$status" -ne 0 ]; then
    # No failing test, yet the suite failed (e.g. no test ran, or the host crashed after the run).
    fail_step "$name"
  fi
}

finish() {
  if [ "${#failed_steps[@]}" -gt 0 ]; then
    echo "npm test: FAILED: ${failed_steps[*]}" >&2
  fi
  echo "${passed} passed, ${failed} failed"
  if [ "$failed" -gt 0 ] || [ "${#failed_steps[@]}" -gt 0 ]; then
    exit 1
  fi
  exit 0
}

if [ ! -d node_modules ]; then
  step "npm ci" npm ci || {
    fail_step "npm ci"
    echo "npm test: could not install the dependencies; nothing else was run." >&2
    finish
  }
fi

step "lint (eslint, import cycles)" npm run --silent lint || fail_step "lint"

step "format (prettier --check)" npm run --silent format:check || fail_step "format"

typecheck_ok=true
step "typecheck" npm run --silent typecheck || {
  typecheck_ok=false
  fail_step "typecheck"
}

step "build" npm run --silent build || {
  fail_step "build"
  echo "npm test: the extension did not build; the tests were not run." >&2
  finish
}

# A clean out/: a test file moved or deleted in the sources must not run from an old compile.
rm -rf out
# tsc still writes out/ when it finds type errors (those are already counted by typecheck).
step "compile-tests" npm run --silent compile-tests || {
  if [ "$typecheck_ok" = true ]; then
    fail_step "compile-tests"
  fi
  if [ ! -d out/test ]; then
    echo "npm test: the tests did not compile; they were not run." >&2
    finish
  fi
}

unit_status=0
KLING_UNIT_RESULTS="$work/unit.json" step "unit tests" \
  npx mocha --config .mocharc.json --reporter ./out/tools/testhost/countingReporter.js || unit_status=$?
add_counts "unit tests" "$work/unit.json" "$unit_status"

integration_status=0
KLING_TEST_RESULTS="$work/integration.json" step "integration tests" \
  node out/tools/testhost/runIntegration.js || integration_status=$?
add_counts "integration tests" "$work/integration.json" "$integration_status"

e2e_status=0
KLING_E2E_IMAGES="$work/images" KLING_UNIT_RESULTS="$work/e2e.json" step "end-to-end tests" \
  npx mocha --no-config --forbid-only --timeout 300000 --reporter ./out/tools/testhost/countingReporter.js 'out/test/e2e/*.e2e.js' || e2e_status=$?
add_counts "end-to-end tests" "$work/e2e.json" "$e2e_status"

# The package as users get it: a production VSIX, installed with code-server's --install-extension into a fresh
# extensions folder; the integration smoke tests and the Create Voice end-to-end test then run against that copy
# and fail if the checkout was loaded instead (tools/testhost/runInstalled.ts). Last, because the production build
# replaces the development bundles in dist/.
if step "package (production VSIX)" npm run --silent package; then
  installed_status=0
  KLING_TEST_RESULTS="$work/installed.json" step "installed copy (smoke + Create Voice end-to-end)" \
    node out/tools/testhost/runInstalled.js || installed_status=$?
  add_counts "installed copy" "$work/installed.json" "$installed_status"
else
  fail_step "package"
fi

finish
