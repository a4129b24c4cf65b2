#!/usr/bin/env bash
# `npm start`: build, then run the extension in code-server (VS Code in the browser) against the local
# Kling API sandbox. Prints the URL to open; Ctrl+C stops everything. PORT sets the port (default 8080).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ]; then
  echo "==> npm ci"
  npm ci
fi
echo "==> build"
npm run --silent build
echo "==> compile-tests (the sandbox and the test host are compiled with the tests)"
if ! npm run --silent compile-tests; then
  # tsc still writes out/ on type errors; go on if what start needs is there.
  if [ ! -f out/tools/testhost/start.js ] || [ ! -f out/tools/sandbox/cli.js ]; then
    echo "npm start: the tools did not compile." >&2
    exit 1
  fi
  echo "npm start: type errors above (out/ was written anyway); starting." >&2
fi
exec node out/tools/testhost/start.js "$@"
