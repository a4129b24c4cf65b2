import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { checkRequests, mentionsVoiceRequest, type CheckLanguage, type RequestProblem } from './requestCheck';
import { VoiceLibrary } from './voiceLibrary';

const LANGUAGES: Record<string, CheckLanguage> = {
  json: 'json',
  jsonc: 'json',
  javascript: 'js',
  javascriptreact: 'js',
  typescript: 'js',
  typescriptreact: 'js',
  python: 'python',
};

/** Larger documents are not checked (a generated file is not a request someone is writing). */
const MAX_LENGTH = 500_000;

/**
 * Warnings inside Kling video requests (JSON, JS/TS, Python): too many voices for the model, a voice id not in the
 * account or the presets, a prompt reference with no entry, audio off with a voice; quick fixes where obvious.
 * Checked on open and on edit (debounced); voice ids only once both lists are loaded.
 */
export function registerRequestDiagnostics(library: VoiceLibrary): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('kling-voice-requests');
  const problems = new Map<string, RequestProblem[]>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const check = (doc: vscode.TextDocument) => {
    const lang = LANGUAGES[doc.languageId];
    const key = doc.uri.toString();
    const text = lang && doc.getText().length <= MAX_LENGTH ? doc.getText() : '';
    if (!lang || !mentionsVoiceRequest(text)) {
      problems.delete(key);
      collection.delete(doc.uri);
      return;
    }
    const loaded = library.accountState.kind === 'loaded' && library.presetState.kind === 'loaded';
    const found = checkRequests(text, lang, {
      // A voice of ours that the account no longer lists is not known either (its requests would fail).
      isKnownVoice: loaded ? (id) => library.findVoice(id) !== undefined && !library.isGone(id) : undefined,
    });
    problems.set(key, found);
    collection.set(
      doc.uri,
      found.map((p) => {
        const d = new vscode.Diagnostic(
          new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.end)),
          p.message,
          vscode.DiagnosticSeverity.Warning,
        );
        d.source = l10n.t('Kling Voice');
        d.code = p.code;
        return d;
      }),
    );
  };
  const later = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        if (!doc.isClosed) {
          check(doc);
        }
      }, 300),
    );
  };

  const actions: vscode.CodeActionProvider = {
    provideCodeActions(doc, range) {
      return (problems.get(doc.uri.toString()) ?? []).flatMap((p) => {
        const at = new vscode.Range(doc.positionAt(p.start), doc.positionAt(p.end));
        if (!p.fix || !at.intersection(range)) {
          return [];
        }
        const action = new vscode.CodeAction(p.fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(
          doc.uri,
          new vscode.Range(doc.positionAt(p.fix.start), doc.positionAt(p.fix.end)),
          p.fix.newText,
        );
        action.isPreferred = true;
        return [action];
      });
    },
  };

  vscode.workspace.textDocuments.forEach(check);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => later(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      problems.delete(doc.uri.toString());
      collection.delete(doc.uri);
    }),
    library.onDidChange(() => vscode.workspace.textDocuments.forEach(later)),
    vscode.languages.registerCodeActionsProvider(Object.keys(LANGUAGES), actions, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    { dispose: () => timers.forEach((t) => clearTimeout(t)) },
  );
}
