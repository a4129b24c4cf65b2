// A stub language pack for code-server. `--locale zh-cn` alone leaves `vscode.env.language` at `en`: the server
// resolves a locale only through `<user-data-dir>/languagepacks.json`, whose entry must name an existing `vscode`
// translations file (see getNLSConfiguration in VS Code's server). This pack contributes zh-cn with an empty
// translations file, and the entry is written up front (the server writes it too, but only after it has scanned the
// extensions, too late for the first window). Then the workbench runs in zh-cn and extensions get their zh-cn
// bundles (package.nls.zh-cn.json, l10n/bundle.l10n.zh-cn.json); VS Code's own words stay English (no real pack).
import * as fs from 'fs';
import * as path from 'path';

export const STUB_PACK_ID = 'kling-test.stub-language-pack';

/** Writes the stub pack for `locale` (e.g. `zh-cn`) into an extensions folder; returns its folder. */
export function installStubLanguagePack(extensionsDir: string, locale: string): string {
  const dir = path.join(extensionsDir, `kling-test.stub-language-pack-${locale}-0.0.1`);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    name: `stub-language-pack-${locale}`,
    publisher: 'kling-test',
    version: '0.0.1',
    displayName: `Stub language pack (${locale})`,
    engines: { vscode: '^1.90.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [
        {
          languageId: locale,
          languageName: locale,
          localizedLanguageName: locale,
          translations: [{ id: 'vscode', path: './translations/main.i18n.json' }],
        },
      ],
    },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, undefined, 2) + '\n');
  fs.mkdirSync(path.join(dir, 'translations'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'translations', 'main.i18n.json'), '{ "version": "1.0.0", "contents": {} }\n');
  return dir;
}

/** The server's index of language packs in a user data folder, naming the pack `installStubLanguagePack` wrote. */
export function writeLanguagePacksIndex(userDataDir: string, packDir: string, locale: string): void {
  fs.mkdirSync(userDataDir, { recursive: true });
  const index = {
    [locale]: {
      hash: `stub-${locale}`,
      extensions: [{ extensionIdentifier: { id: STUB_PACK_ID }, version: '0.0.1' }],
      translations: { vscode: path.join(packDir, 'translations', 'main.i18n.json') },
      label: locale,
    },
  };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(index, undefined, 2) + '\n');
}

/** The locale in `<user-data-dir>/User/argv.json`, where VS Code reads the display language (with `--locale`). */
export function writeLocale(userDataDir: string, locale: string): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'argv.json'), JSON.stringify({ locale }, undefined, 2) + '\n');
}
