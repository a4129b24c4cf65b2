import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { HttpUploadProvider } from './httpUpload';
import { S3UploadProvider } from './s3';
import { UploadError, UploadProvider } from './types';
import { SECRETS, SETTINGS, STATE_KEYS } from '../ids';

export type ProviderName = 'none' | 's3' | 'http';

/** SecretStorage entries of the upload providers (never in settings, never logged). */
export const UPLOAD_SECRETS = {
  s3AccessKeyId: SECRETS.s3AccessKeyId,
  s3SecretAccessKey: SECRETS.s3SecretAccessKey,
  httpToken: SECRETS.httpToken,
} as const;

const CONSENT_STATE_KEY = STATE_KEYS.uploadConsent;

export interface UploadSettings {
  provider: ProviderName;
  s3: {
    endpoint: string;
    region: string;
    bucket: string;
    keyPrefix: string;
    presignExpirySeconds: number;
    forcePathStyle: boolean;
    deleteAfterTask: boolean;
  };
  http: { url: string; method: 'POST' | 'PUT'; fieldName: string; responseUrlPath: string };
  consentedDestinations: string[];
}

export function readUploadSettings(): UploadSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS.upload);
  const str = (key: string, fallback: string) => {
    const v = c.get<unknown>(key);
    return typeof v === 'string' ? v.trim() : fallback;
  };
  const provider = str('provider', 'none');
  const expiry = c.get<number>('s3.presignExpirySeconds');
  const consented = c.get<unknown>('consentedDestinations');
  return {
    provider: provider === 's3' || provider === 'http' ? provider : 'none',
    s3: {
      endpoint: str('s3.endpoint', ''),
      region: str('s3.region', 'us-east-1') || 'us-east-1',
      bucket: str('s3.bucket', ''),
      keyPrefix: str('s3.keyPrefix', 'kling-voice-samples/'),
      presignExpirySeconds:
        typeof expiry === 'number' && Number.isFinite(expiry) ? Math.min(604800, Math.max(60, expiry)) : 3600,
      forcePathStyle: c.get<boolean>('s3.forcePathStyle') !== false,
      deleteAfterTask: c.get<boolean>('s3.deleteAfterTask') === true,
    },
    http: {
      url: str('http.url', ''),
      method: str('http.method', 'POST').toUpperCase() === 'PUT' ? 'PUT' : 'POST',
      fieldName: str('http.fieldName', 'file') || 'file',
      responseUrlPath: str('http.responseUrlPath', 'url'),
    },
    consentedDestinations: Array.isArray(consented) ? consented.filter((d): d is string => typeof d === 'string') : [],
  };
}

/** Builds the configured provider, with its secrets. Throws UploadError with what to set when something is missing. */
export async function createUploadProvider(
  secrets: vscode.SecretStorage,
  log: vscode.LogOutputChannel,
  settings = readUploadSettings(),
): Promise<UploadProvider | undefined> {
  const logLine = (m: string) => log.info(m);
  if (settings.provider === 's3') {
    return new S3UploadProvider({
      ...settings.s3,
      accessKeyId: (await secrets.get(UPLOAD_SECRETS.s3AccessKeyId)) ?? '',
      secretAccessKey: (await secrets.get(UPLOAD_SECRETS.s3SecretAccessKey)) ?? '',
      log: logLine,
    });
  }
  if (settings.provider === 'http') {
    return new HttpUploadProvider({
      ...settings.http,
      token: (await secrets.get(UPLOAD_SECRETS.httpToken)) || undefined,
      log: logLine,
    });
  }
  return undefined;
}

function normalizeDestination(d: string): string {
  return d.trim().replace(/\/+$/, '').toLowerCase();
}

/**
 * Consent to upload voice samples to a destination, asked once per destination and remembered in
 * globalState. Destinations listed in the user setting `klingVoice.upload.consentedDestinations`
 * count as consented (for managed set-ups, and for automated runs); programmatic callers can also
 * pass `consent: true`, meaning the caller obtained it.
 */
export class UploadConsent {
  constructor(private readonly _state: vscode.Memento) {}

  has(destination: string, settings = readUploadSettings()): boolean {
    const d = normalizeDestination(destination);
    const remembered = this._state.get<unknown>(CONSENT_STATE_KEY, []);
    const list = [...(Array.isArray(remembered) ? remembered : []), ...settings.consentedDestinations];
    return list.some((x) => typeof x === 'string' && normalizeDestination(x) === d);
  }

  async remember(destination: string): Promise<void> {
    const remembered = this._state.get<unknown>(CONSENT_STATE_KEY, []);
    const list = (Array.isArray(remembered) ? remembered : []).filter((x): x is string => typeof x === 'string');
    if (!list.some((x) => normalizeDestination(x) === normalizeDestination(destination))) {
      list.push(destination);
      await this._state.update(CONSENT_STATE_KEY, list);
    }
  }

  async forgetAll(): Promise<void> {
    await this._state.update(CONSENT_STATE_KEY, undefined);
  }

  /** Asks (modal) unless consent is known. Resolves true when the upload may go ahead. */
  async ensure(provider: UploadProvider, fileCount: number, given?: boolean): Promise<boolean> {
    if (given || this.has(provider.destination)) {
      return true;
    }
    const allow = l10n.t('Allow Uploads to This Destination');
    const question =
      fileCount === 1
        ? l10n.t('Upload this voice sample to {0}?', provider.describe())
        : l10n.t('Upload these {0} voice samples to {1}?', fileCount, provider.describe());
    const where =
      provider.id === 's3'
        ? l10n.t(
            'The file goes to {0}, and Kling downloads it from there to create the voice through a link that expires.',
            provider.destination,
          )
        : l10n.t('The file goes to {0}, and Kling downloads it from there to create the voice.', provider.destination);
    const choice = await vscode.window.showWarningMessage(
      question,
      {
        modal: true,
        detail: [
          l10n.t(
            "A recording of someone's voice is biometric data. Upload only voices you have the speaker's permission to clone.",
          ),
          where,
          l10n.t(
            "Your answer is remembered for this destination ('Kling Voice: Clear Upload Credentials' forgets it).",
          ),
        ].join('\n\n'),
      },
      allow,
    );
    if (choice !== allow) {
      return false;
    }
    await this.remember(provider.destination);
    return true;
  }
}

export interface SetCredentialsArgs {
  provider?: 's3' | 'http';
  accessKeyId?: string;
  secretAccessKey?: string;
  token?: string;
}

/** `klingVoice.setUploadCredentials`: with an argument (programmatic) or by asking. Resolves true when stored. */
export async function setUploadCredentials(secrets: vscode.SecretStorage, args?: SetCredentialsArgs): Promise<boolean> {
  let provider = args?.provider;
  if (provider !== 's3' && provider !== 'http') {
    const current = readUploadSettings().provider;
    if (current === 's3' || current === 'http') {
      provider = current;
    } else {
      const pick = await vscode.window.showQuickPick(
        [
          {
            label: l10n.t('S3-compatible storage'),
            description: l10n.t('access key id and secret'),
            value: 's3' as const,
          },
          { label: l10n.t('HTTP upload endpoint'), description: l10n.t('Bearer token'), value: 'http' as const },
        ],
        {
          title: l10n.t('Set Upload Credentials'),
          placeHolder: l10n.t('Which upload provider are these credentials for?'),
        },
      );
      if (!pick) {
        return false;
      }
      provider = pick.value;
    }
  }
  const noSpaces = (v: string) =>
    !v.trim() ? l10n.t('Enter a value.') : /\s/.test(v.trim()) ? l10n.t('No spaces or line breaks.') : undefined;
  if (provider === 's3') {
    const id =
      args?.accessKeyId ??
      (await vscode.window.showInputBox({
        title: l10n.t('S3 access key id'),
        prompt: l10n.t('Stored in VS Code secret storage.'),
        ignoreFocusOut: true,
        validateInput: noSpaces,
      }));
    if (id === undefined) {
      return false;
    }
    const secret =
      args?.secretAccessKey ??
      (await vscode.window.showInputBox({
        title: l10n.t('S3 secret access key'),
        password: true,
        ignoreFocusOut: true,
        validateInput: noSpaces,
      }));
    if (secret === undefined) {
      return false;
    }
    if (noSpaces(id) || noSpaces(secret)) {
      throw new UploadError(l10n.t('The S3 access key id and secret must be non-empty and have no spaces.'));
    }
    await secrets.store(UPLOAD_SECRETS.s3AccessKeyId, id.trim());
    await secrets.store(UPLOAD_SECRETS.s3SecretAccessKey, secret.trim());
    return true;
  }
  const token =
    args?.token ??
    (await vscode.window.showInputBox({
      title: l10n.t('Upload endpoint token'),
      prompt: l10n.t(
        'Sent as "Authorization: Bearer <token>" to klingVoice.upload.http.url only. Stored in VS Code secret storage.',
      ),
      password: true,
      ignoreFocusOut: true,
      validateInput: noSpaces,
    }));
  if (token === undefined) {
    return false;
  }
  if (noSpaces(token)) {
    throw new UploadError(l10n.t('The token must be non-empty and have no spaces.'));
  }
  await secrets.store(UPLOAD_SECRETS.httpToken, token.trim().replace(/^Bearer\s+/i, ''));
  return true;
}

/** `klingVoice.clearUploadCredentials`: removes every upload secret and the remembered consents. */
export async function clearUploadCredentials(secrets: vscode.SecretStorage, consent: UploadConsent): Promise<void> {
  for (const key of Object.values(UPLOAD_SECRETS)) {
    await secrets.delete(key);
  }
  await consent.forgetAll();
}
