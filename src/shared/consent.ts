// The speaker's consent to clone a voice, as recorded on this machine. Pure: unit-tested in plain mocha.
// Kling asks for no consent; OpenAI and Azure require a recorded statement, ElevenLabs a checkbox. The extension asks
// once per sample and keeps what was said, when, and which sample it was about: never a key, a token or a URL query.
import * as l10n from '@vscode/l10n';
import { withoutSecrets } from './url';

/** What the consent was about: the sample, identified without anything secret. */
export type ConsentSample =
  /** A local file: the SHA-256 of the bytes sent (the exported window of a trimmed file) and the file's base name. */
  | { kind: 'file'; sha256: string; fileName?: string }
  /** A URL: without query, fragment or user info, and its host. */
  | { kind: 'url'; url: string; host: string }
  | { kind: 'video'; videoId: string };

/** How the consent was given. */
export type ConsentVia = 'dialog' | 'api' | 'agent' | 'setting';

export interface ConsentRecord {
  statement: string;
  /** ISO 8601. */
  acceptedAt: string;
  via: ConsentVia;
  sample: ConsentSample;
  /** The host of klingVoice.apiBaseUrl when the voice was created (the service that holds the voice). */
  serviceHost?: string;
  /** Set once a task was created from the sample. */
  taskId?: string;
  voiceName?: string;
}

// The statements are what the user agreed to, so a record keeps the one shown, in the language it was shown in
// (Chinese in a zh-cn VS Code): they are functions, translated when asked, and a stored record is never re-translated.

/** The purpose in the default statement. */
export function defaultPurpose(): string {
  return l10n.t('videos made with Kling');
}

/** The statement of "It Is My Own Voice". */
export function ownVoiceStatement(): string {
  return l10n.t('This is my own voice; I clone it for videos made with Kling.');
}

/** The statement recorded when `klingVoice.consent.preAccepted` is on. */
export function preAcceptedStatement(): string {
  return l10n.t(
    'I only clone my own voice, or voices whose speakers gave me their permission (klingVoice.consent.preAccepted).',
  );
}

export const MAX_STATEMENT_LENGTH = 500;

/** "I have the speaker's permission to clone this voice for <purpose>." (the default purpose when empty). */
export function consentStatement(purpose?: string): string {
  const p = (purpose ?? '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.。\s]+$/, '');
  return l10n.t("I have the speaker's permission to clone this voice for {0}.", p || defaultPurpose());
}

/** A statement given by a caller, cleaned (one line, cut), or undefined when it is not usable text. */
export function cleanStatement(v: unknown): string | undefined {
  if (typeof v !== 'string') {
    return undefined;
  }
  const s = v
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return s ? s.slice(0, MAX_STATEMENT_LENGTH) : undefined;
}

/** The sample of a URL or video create; undefined when there is neither. */
export function remoteSample(input: { voiceUrl?: string; videoId?: string }): ConsentSample | undefined {
  if (input.videoId?.trim()) {
    return { kind: 'video', videoId: input.videoId.trim() };
  }
  const url = input.voiceUrl ? withoutSecrets(input.voiceUrl.trim()) : undefined;
  if (url) {
    return { kind: 'url', url, host: new URL(url).host };
  }
  return undefined;
}

/** The identity of a sample: one consent per key. */
export function sampleKey(s: ConsentSample): string {
  switch (s.kind) {
    case 'file':
      return `file:${s.sha256.toLowerCase()}`;
    case 'url':
      return `url:${s.url}`;
    case 'video':
      return `video:${s.videoId}`;
  }
}

/** One line naming the sample, for the question and the tooltip. */
export function describeSample(s: ConsentSample): string {
  switch (s.kind) {
    case 'file': {
      const hash = s.sha256.slice(0, 16);
      return s.fileName ? l10n.t('{0}, SHA-256 {1}…', s.fileName, hash) : l10n.t('SHA-256 {0}…', hash);
    }
    case 'url':
      return s.url;
    case 'video':
      return l10n.t('Kling video {0}', s.videoId);
  }
}

/** The tooltip lines of a record ("Consent: … (date, how)"). */
export function consentLines(r: ConsentRecord): string[] {
  const how: Record<ConsentVia, string> = {
    dialog: l10n.t('confirmed in VS Code'),
    api: l10n.t('stated by an extension through the API'),
    agent: l10n.t("confirmed in an agent tool's confirmation"),
    setting: l10n.t('pre-accepted by klingVoice.consent.preAccepted'),
  };
  return [
    l10n.t('Consent: "{0}"', r.statement),
    l10n.t('{0}, {1}; sample: {2}', r.acceptedAt.slice(0, 10), how[r.via], describeSample(r.sample)),
  ];
}

const text = (x: unknown, max: number): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;

function validSample(v: unknown): ConsentSample | undefined {
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const s = v as Record<string, unknown>;
  switch (s.kind) {
    case 'file':
      return typeof s.sha256 === 'string' && /^[0-9a-f]{64}$/i.test(s.sha256)
        ? { kind: 'file', sha256: s.sha256.toLowerCase(), fileName: text(s.fileName, 1024) ? s.fileName : undefined }
        : undefined;
    case 'url': {
      const url = text(s.url, 4096) ? withoutSecrets(s.url) : undefined;
      return url ? { kind: 'url', url, host: new URL(url).host } : undefined;
    }
    case 'video':
      return text(s.videoId, 256) ? { kind: 'video', videoId: s.videoId } : undefined;
    default:
      return undefined;
  }
}

/**
 * A stored or imported record, checked and rebuilt field by field (globalState and imported files are data, not
 * trusted to have the right shape); a URL loses any query it may have gained.
 */
export function validConsentRecord(v: unknown): ConsentRecord | undefined {
  if (typeof v !== 'object' || v === null) {
    return undefined;
  }
  const r = v as Record<string, unknown>;
  const statement = cleanStatement(r.statement);
  const sample = validSample(r.sample);
  const via = r.via;
  if (
    !statement ||
    !sample ||
    typeof r.acceptedAt !== 'string' ||
    Number.isNaN(Date.parse(r.acceptedAt)) ||
    (via !== 'dialog' && via !== 'api' && via !== 'agent' && via !== 'setting')
  ) {
    return undefined;
  }
  return {
    statement,
    acceptedAt: new Date(r.acceptedAt).toISOString(),
    via,
    sample,
    serviceHost: text(r.serviceHost, 255) && /^[\w.:[\]-]+$/.test(r.serviceHost) ? r.serviceHost : undefined,
    taskId: text(r.taskId, 128) ? r.taskId : undefined,
    voiceName: text(r.voiceName, 200) ? r.voiceName : undefined,
  };
}
