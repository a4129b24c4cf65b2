// Stands in for `@vscode/l10n` in the extension host's bundles (dist/extension.js, dist/features.js). There, VS
// Code's own `vscode.l10n.t` already has this extension's bundle for the display language (package.json "l10n"),
// and the package's main module would load Node's fs/promises (to read bundles from a path or URL we never pass)
// at every VS Code start. The audio worker, the pages and the unit tests keep the package itself.
'use strict';
const vscode = require('vscode');

module.exports = {
  /** A no-op: vscode.l10n already holds the bundle src/extension.ts would give the package. */
  config() {
    return undefined;
  },
  t(...args) {
    return vscode.l10n.t(...args);
  },
};
