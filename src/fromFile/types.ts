// What the local-file pipeline needs from the extension, and the options its callers pass.
import type * as vscode from 'vscode';
import type { VoiceService } from '../service/voiceService';
import type { ConsentGiven } from '../service/consentGate';

export interface FromFileDeps {
  /** Where upload credentials (secrets) and remembered consents (globalState) live. */
  context: { secrets: vscode.SecretStorage; globalState: vscode.Memento };
  service: VoiceService;
  log: vscode.LogOutputChannel;
}

/**
 * Options of `klingVoice.createVoiceFromFile` for programmatic callers (third argument, or the first
 * as `{ files, ... }`) and of `createVoiceFromFile()`.
 */
export interface FromFileOptions {
  /** Ask nothing: names come from file names, files that break the rules are refused (or trimmed with `trim`). */
  noPrompt?: boolean;
  /** The caller has the user's consent to upload to the configured destination. */
  consent?: boolean;
  /** The speaker's consent, stated by the caller (the API's `consent: { statement }`, an agent tool): not asked. */
  speakerConsent?: ConsentGiven;
  /** Name of the voice (one file only). */
  voiceName?: string;
  /** A decodable file longer than 30 s: 'suggested' cuts the suggested window; 'never' refuses it (default when not asking). */
  trim?: 'suggested' | 'never';
  /** Peak-normalise a trimmed export to −1 dBFS. */
  normalize?: boolean;
  /** Wait for each task to end (default true). */
  wait?: boolean;
  signal?: AbortSignal;
}
