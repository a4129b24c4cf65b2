// What every agent tool shares: its dependencies, the redacted JSON result, the refusal in an untrusted workspace
// and how a path given by a model becomes a workspace file.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { errorText, isKlingError, redactSecrets } from '../kling';
import { SECRETS } from '../ids';
import type { KeyStore } from '../service/keyStore';
import type { VoiceLibrary } from '../library/voiceLibrary';
import type { FromFileDeps } from '../fromFile/types';
import { UploadError } from '../upload';

/** Local notes and tags of a voice, shown with it by the list-voices tool (the library's VoiceNotesStore). */
export interface VoiceNotes {
  notesFor(voiceId: string): { notes?: string; tags?: string[] } | undefined;
}

export interface ToolDeps extends FromFileDeps {
  keys: KeyStore;
  library: VoiceLibrary;
  /** vscode.workspace.isTrusted, read at each call (a test passes its own). */
  isTrusted: () => boolean;
  /** The text editor used last (the chat view has the focus when an agent runs a tool). */
  lastEditor: () => vscode.TextEditor | undefined;
  notes?: VoiceNotes;
}

/** What the tools answer in an untrusted workspace, for the tools that bill or delete. */
export const UNTRUSTED_MESSAGE = () =>
  l10n.t(
    'This workspace is not trusted, so Kling Voice tools can only read here (check samples, list voices, insert requests): nothing was created, uploaded or deleted. Ask the user to trust the workspace (Workspaces: Manage Workspace Trust) and try again.',
  );

/** Every secret a result must not carry: the API key and the upload credentials, whatever their source. */
async function secrets(deps: ToolDeps): Promise<string[]> {
  const all = await Promise.all([
    deps.keys.get(),
    deps.context.secrets.get(SECRETS.s3AccessKeyId),
    deps.context.secrets.get(SECRETS.s3SecretAccessKey),
    deps.context.secrets.get(SECRETS.httpToken),
  ]);
  return all.filter((s): s is string => typeof s === 'string' && s !== '');
}

/**
 * A tool result: the value as JSON, redacted like the log (the key and upload credentials cut out wherever they
 * appear, Bearer tokens, and the query string of every URL, such as an upload's presigned link).
 */
export async function jsonResult(deps: ToolDeps, value: object): Promise<vscode.LanguageModelToolResult> {
  const text = redactSecrets(JSON.stringify(value, undefined, 2), await secrets(deps));
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

/** An error as a tool answers it: what happened and what to do, with what the model needs to act on it. */
export function errorValue(e: unknown): { ok: false; error: Record<string, unknown> } {
  if (isKlingError(e)) {
    return {
      ok: false,
      error: {
        kind: e.kind,
        message: e.message,
        code: e.code,
        status: e.status,
        retryable: e.retryable,
        externalTaskId: e.externalTaskId,
      },
    };
  }
  if (e instanceof UploadError) {
    return { ok: false, error: { kind: 'upload', message: e.message, status: e.status, retryable: e.retryable } };
  }
  return { ok: false, error: { message: errorText(e) } };
}

export function refusal(message: string): { ok: false; refused: true; message: string } {
  return { ok: false, refused: true, message };
}

/**
 * A workspace file from a path a model gave: relative to a workspace folder (the first that has it), or absolute
 * inside one. Anything outside the workspace is refused, so a prompt cannot send the user's other files.
 */
export async function workspaceFile(given: string): Promise<vscode.Uri | string> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (!folders.length) {
    return l10n.t(
      'No folder is open: open the folder that holds the sample, then give its path relative to that folder.',
    );
  }
  const text = given.trim();
  let candidates: vscode.Uri[];
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(text)) {
    candidates = [vscode.Uri.parse(text, true)];
  } else if (text.startsWith('/') || /^[a-z]:[\\/]/i.test(text)) {
    candidates = [vscode.Uri.file(text)];
  } else {
    const segments = text.replace(/\\/g, '/').split('/').filter(Boolean);
    candidates = folders.map((f) => vscode.Uri.joinPath(f.uri, ...segments));
  }
  const inside = candidates.filter((u) => vscode.workspace.getWorkspaceFolder(u) !== undefined);
  if (!inside.length) {
    return l10n.t(
      '{0} is not in the workspace. Give the path of a file inside the open folder (e.g. samples/narrator.wav).',
      text,
    );
  }
  for (const uri of inside) {
    try {
      await vscode.workspace.fs.stat(uri);
      return uri;
    } catch {
      // try the next folder
    }
  }
  return l10n.t(
    '{0} was not found in the workspace. Give the path relative to the open folder (e.g. samples/narrator.wav).',
    text,
  );
}

/** How a workspace file is named to the user and the model. */
export function shownPath(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, false);
}
