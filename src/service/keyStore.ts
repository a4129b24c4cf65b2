import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { CONTEXT_KEYS, SECRETS } from '../ids';
import { Disposable } from '../dispose';

/** Name of the entry in SecretStorage. */
const SECRET_NAME = SECRETS.apiKey;
/** Checks a key before it is stored; returns a message when it cannot be right. */
export function validateApiKey(value: string | undefined): string | undefined {
  const v = (value ?? '').trim();
  if (!v) {
    return l10n.t('Enter the API key.');
  }
  if (/\s/.test(v)) {
    return l10n.t('An API key has no spaces or line breaks. Paste the key alone.');
  }
  if (/^bearer$/i.test(v) || /^bearer\s/i.test(value?.trim() ?? '')) {
    return l10n.t('Paste the key without the "Bearer " prefix.');
  }
  if (v.length < 8) {
    return l10n.t('That key is too short to be an API key.');
  }
  return undefined;
}

/** The API key, kept in SecretStorage only. */
export class KeyStore extends Disposable implements vscode.Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly _secrets: vscode.SecretStorage) {
    super();
    this._register(
      _secrets.onDidChange((e) => {
        if (e.key === SECRET_NAME) {
          void this.updateContext();
          this._onDidChange.fire();
        }
      }),
    );
  }

  get(): Promise<string | undefined> {
    return Promise.resolve(this._secrets.get(SECRET_NAME));
  }

  /** The upload credentials, to cut out of every answer of the API as the key is (they are never sent to it). */
  async uploadSecrets(): Promise<(string | undefined)[]> {
    const names = [SECRETS.s3AccessKeyId, SECRETS.s3SecretAccessKey, SECRETS.httpToken];
    return Promise.all(names.map((n) => Promise.resolve(this._secrets.get(n))));
  }

  async set(key: string): Promise<void> {
    const problem = validateApiKey(key);
    if (problem) {
      throw new Error(problem);
    }
    await this._secrets.store(SECRET_NAME, key.trim());
    await this.updateContext();
  }

  async clear(): Promise<void> {
    await this._secrets.delete(SECRET_NAME);
    await this.updateContext();
  }

  async updateContext(): Promise<boolean> {
    const has = !!(await this.get());
    await vscode.commands.executeCommand('setContext', CONTEXT_KEYS.hasApiKey, has);
    return has;
  }
}
