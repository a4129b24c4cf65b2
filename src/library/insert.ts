import * as vscode from 'vscode';

export type InsertFormat = 'json' | 'curl';

/**
 * Inserts the text at the cursor of the active editor. From a webview (the form's panel, the trimmer) no text
 * editor is active: the one used last comes back to the front and gets the snippet at its cursor. With no editor
 * at all, the text opens in a new untitled document.
 */
export async function insertText(
  text: string,
  format: InsertFormat,
  lastEditor: vscode.TextEditor | undefined,
): Promise<boolean> {
  const last = lastEditor && !lastEditor.document.isClosed ? lastEditor : undefined;
  const target =
    vscode.window.activeTextEditor ??
    (last &&
      (await vscode.window.showTextDocument(last.document, {
        viewColumn: last.viewColumn,
        selection: last.selection,
        preview: false,
      })));
  if (target) {
    return await target.insertSnippet(new vscode.SnippetString().appendText(text), target.selection);
  }
  const doc = await vscode.workspace.openTextDocument({
    language: format === 'json' ? 'json' : 'shellscript',
    content: text,
  });
  await vscode.window.showTextDocument(doc);
  return true;
}
