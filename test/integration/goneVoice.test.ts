// A voice that has gone: created here, then deleted at the service behind the extension's back (straight through
// the sandbox's HTTP API, so the local history keeps its entry). The next successful account list no longer holds it:
// the hover and My Voices mark it, the request diagnostics flag it, and Use This Voice / Insert Snippet warn with a
// modal first (VS Code's test host refuses to show a modal, which is the user's Cancel: nothing is inserted).
import * as assert from 'assert';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import type { KlingVoiceApi } from '../../src/api';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { VoiceLibrary } from '../../src/library/voiceLibrary';
import { countDescription, VoicesTreeProvider } from '../../src/library/trees';
import type { UseVoiceResult } from '../../src/library/useVoice';
import { voicePickItems } from '../../src/library/voicePicks';
import type { Sandbox } from '../../tools/sandbox';
import {
  MemoryMemento,
  TEST_KEY,
  getApi,
  memorySecrets,
  recordingLog,
  setSetting,
  useSandbox,
  waitFor,
} from './helpers';

const GONE = /No longer in your account/;

async function hoverText(content: string, needle: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content });
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    doc.uri,
    doc.positionAt(content.indexOf(needle) + 2),
  );
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n')
    .replace(/&nbsp;/g, ' ');
}

/** Calls a language-model tool as an agent does (the test host confirms its confirmation at once). */
async function invokeTool(name: string, input: object): Promise<Record<string, unknown>> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  const part = result.content.find((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart);
  assert.ok(part, `${name} answers with text`);
  return JSON.parse(part.value) as Record<string, unknown>;
}

/** Deletes a voice at the service directly, as the Kling console or another machine would. */
async function deleteAtService(sb: Sandbox, voiceId: string): Promise<void> {
  const res = await fetch(`${sb.url}/v1/general/delete-voices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ voice_id: voiceId }),
  });
  assert.strictEqual(res.status, 200, await res.text());
}

describe('A voice that has gone (not in the account any more)', function () {
  this.timeout(60_000);
  let api: KlingVoiceApi;
  let sandbox: Sandbox;

  before(async () => {
    api = await getApi();
    sandbox = await useSandbox({ processingDelayMs: 200 });
    await setSetting('pollIntervalSeconds', 0.1);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sandbox.close();
  });

  it('is marked in the hover, flagged in a request, and Use This Voice / Insert Snippet warn before inserting', async () => {
    const task = await api.createVoice({ voiceName: 'Gone Later', videoId: '123456' });
    const voiceId = task.voices[0].voiceId;
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    await vscode.commands.executeCommand('klingVoice.refreshPresets');
    const before = await hoverText(`"voice_id": "${voiceId}"`, voiceId);
    assert.match(before, /Gone Later/);
    assert.doesNotMatch(before, GONE, 'a listed voice is not marked');

    await deleteAtService(sandbox, voiceId);
    await new Promise((r) => setTimeout(r, 5)); // the list is asked for after the task's last local write
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    const after = await hoverText(`"voice_id": "${voiceId}"`, voiceId);
    assert.match(after, /Gone Later/, 'still known from the history');
    assert.match(after, GONE);

    // The request diagnostics treat it as not in the account.
    const request = await vscode.workspace.openTextDocument({
      language: 'json',
      content: JSON.stringify({
        model_name: 'kling-v2-6',
        prompt: '<<<voice_1>>> says hi',
        sound: 'on',
        voice_list: [{ voice_id: voiceId }],
      }),
    });
    const flagged = await waitFor('the unknown-voice diagnostic', () =>
      vscode.languages.getDiagnostics(request.uri).find((d) => d.code === 'unknownVoice'),
    );
    assert.match(flagged.message, new RegExp(voiceId));

    // Use This Voice: the modal warning cannot show here, which is Cancel: nothing is inserted, the reason returned.
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '' });
    await vscode.window.showTextDocument(doc);
    const opts = { target: 'v26-text2video', format: 'json', where: 'cursor' };
    const refused = await vscode.commands.executeCommand<UseVoiceResult>('klingVoice.useVoice', voiceId, opts);
    assert.match(refused.refused ?? '', /no longer in your account/);
    assert.strictEqual(refused.text, undefined);
    assert.strictEqual(doc.getText(), '');
    assert.strictEqual(await vscode.commands.executeCommand('klingVoice.insertSnippet', voiceId, 'json'), false);
    assert.strictEqual(doc.getText(), '', 'Insert Snippet inserted nothing either');
    // "Insert Anyway", given programmatically: the request is inserted.
    const anyway = await vscode.commands.executeCommand<UseVoiceResult>('klingVoice.useVoice', voiceId, {
      ...opts,
      ifGone: 'insert',
    });
    assert.ok(anyway.text?.includes(voiceId));
    assert.strictEqual(doc.getText(), anyway.text);
    // Completion lists it last, struck through and marked; the agent tools mark it and ask before inserting it.
    const completionDoc = await vscode.workspace.openTextDocument({ language: 'json', content: '{ "voice_id": "' });
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      completionDoc.uri,
      completionDoc.positionAt(completionDoc.getText().length),
    );
    const sorted = [...completions.items].sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
    const goneItem = sorted.find((i) => i.insertText === voiceId);
    assert.ok(goneItem, 'still offered: it is in My Voices');
    assert.strictEqual(sorted[sorted.length - 1], goneItem, 'after every live voice and preset');
    assert.ok(sorted.length > 1);
    assert.deepStrictEqual(goneItem.tags, [vscode.CompletionItemTag.Deprecated]);
    assert.match(String(goneItem.detail), GONE);
    for (const live of sorted.slice(0, -1)) {
      assert.strictEqual(live.tags, undefined, String(live.insertText));
      assert.doesNotMatch(String(live.detail), GONE);
    }
    const listed = await invokeTool('klingVoice_listVoices', { include: 'own' });
    const own = listed.ownVoices as { voiceId?: string; gone?: boolean }[];
    assert.strictEqual(own[own.length - 1].voiceId, voiceId, 'the gone voice comes last');
    assert.strictEqual(own[own.length - 1].gone, true);
    assert.ok(own.slice(0, -1).every((v) => v.gone === undefined));
    const viaAgent = await invokeTool('klingVoice_insertVoiceRequest', { voiceId, format: 'json' });
    assert.strictEqual(viaAgent.ok, false);
    assert.strictEqual(viaAgent.gone, true);
    assert.match(String(viaAgent.message), /no longer in your account/);
    assert.strictEqual(doc.getText(), anyway.text, 'the agent inserted nothing');

    // A live voice (a preset) passes without a question.
    const preset = await api.listPresetVoices();
    const live = await vscode.commands.executeCommand<UseVoiceResult>('klingVoice.useVoice', preset[0].voiceId, {
      ...opts,
      where: 'newEditor',
    });
    assert.ok(live.text?.includes(preset[0].voiceId));
  });

  describe('in My Voices', () => {
    function makeTree(history: TaskHistory) {
      const keys = new KeyStore(memorySecrets({ 'klingVoice.apiKey': TEST_KEY }));
      const service = new VoiceService(keys, recordingLog().log, fetch as unknown as FetchLike, history);
      const library = new VoiceLibrary(service, keys);
      const tree = new VoicesTreeProvider(library);
      return { service, library, tree, dispose: () => [tree, library, service, keys].forEach((d) => d.dispose()) };
    }
    const icon = (i: vscode.TreeItem) => (i.iconPath instanceof vscode.ThemeIcon ? i.iconPath.id : undefined);

    it('a warning row after a successful list without it; the count leaves it out; Remove from List hides it', async () => {
      const t = makeTree(new TaskHistory(new MemoryMemento()));
      try {
        const task = await t.service.createVoice({ voiceName: 'Tree Gone', videoId: '123456' });
        const voiceId = task.voices[0].voiceId;
        await t.library.refreshAccount();
        const row = () => t.tree.getChildren().find((n) => n.item?.taskId === task.taskId);
        assert.match(String(t.tree.getTreeItem(row()!).contextValue), /^voice(\.trial)?$/);
        await deleteAtService(sandbox, voiceId);
        await new Promise((r) => setTimeout(r, 5));
        await t.library.refreshAccount();
        const node = row();
        assert.ok(node, 'the gone voice is still listed');
        const item = t.tree.getTreeItem(node);
        assert.strictEqual(icon(item), 'warning');
        assert.strictEqual(item.contextValue, 'voice.gone');
        assert.match(String(item.description), /no longer in your account/);
        assert.ok(t.library.isGone(voiceId));
        assert.match(countDescription(t.library.items()), /^0 voices/);
        // Remove from List takes a gone voice's row (here it hides the id in the extension's own history: harmless).
        assert.strictEqual(await vscode.commands.executeCommand('klingVoice.removeFromList', node), 1);
        await t.service.history.hide([task.taskId]);
        assert.strictEqual(row(), undefined, 'removed from the list');
      } finally {
        t.dispose();
      }
    });

    it('every voice picker lists the voices that have gone last, under a separator, marked', async () => {
      const t = makeTree(new TaskHistory(new MemoryMemento()));
      try {
        const kept = await t.service.createVoice({ voiceName: 'Picker Kept', videoId: '123456' });
        const lost = await t.service.createVoice({ voiceName: 'Picker Lost', videoId: '123457' });
        const lostId = lost.voices[0].voiceId;
        await deleteAtService(sandbox, lostId);
        await new Promise((r) => setTimeout(r, 5));
        await t.library.refreshAccount();
        await t.library.refreshPresets();
        assert.ok(t.library.isGone(lostId));
        const presets = t.library.presetState.kind === 'loaded' ? t.library.presetState.items : [];
        assert.ok(presets.length > 0);

        const picks = await voicePickItems(t.library);
        assert.ok(picks);
        const ids = picks.map((p) => p.voice?.voiceId ?? `<${p.label}>`);
        assert.deepStrictEqual(ids, [
          kept.voices[0].voiceId,
          ...presets.map((v) => v.voiceId),
          '<No longer in your account>',
          lostId,
        ]);
        const separator = picks[picks.length - 2];
        assert.strictEqual(separator.kind, vscode.QuickPickItemKind.Separator);
        const lostPick = picks[picks.length - 1];
        assert.strictEqual(lostPick.label, '$(warning) Picker Lost');
        assert.match(String(lostPick.detail), GONE);
        assert.strictEqual(lostPick.gone, true);
        assert.strictEqual(picks[0].label, 'Picker Kept');
        assert.ok(picks.slice(0, -2).every((p) => !p.gone && !String(p.label).includes('$(warning)')));

        // The notes picker: the same, without the presets.
        const own = await voicePickItems(t.library, { presets: false });
        assert.deepStrictEqual(
          own?.map((p) => p.voice?.voiceId ?? p.kind),
          [kept.voices[0].voiceId, vscode.QuickPickItemKind.Separator, lostId],
        );
        // With nothing gone there is no separator.
        await t.service.history.hide([lost.taskId]);
        const after = await voicePickItems(t.library);
        assert.ok(after?.every((p) => p.kind !== vscode.QuickPickItemKind.Separator && !p.gone));
      } finally {
        t.dispose();
      }
    });

    it('a service without the list endpoint marks nothing gone', async () => {
      const noList = await useSandbox({ listEndpoint: false, processingDelayMs: 200 });
      const t = makeTree(new TaskHistory(new MemoryMemento()));
      try {
        const task = await t.service.createVoice({ voiceName: 'No List', videoId: '123456' });
        await new Promise((r) => setTimeout(r, 5));
        await t.library.refreshAccount();
        assert.strictEqual(t.library.accountState.kind, 'unsupported');
        const node = t.tree.getChildren().find((n) => n.item?.taskId === task.taskId);
        assert.ok(node);
        assert.match(String(t.tree.getTreeItem(node).contextValue), /^voice(\.trial)?$/);
        assert.strictEqual(t.library.isGone(task.voices[0].voiceId), false);
      } finally {
        t.dispose();
        await noList.close();
        await setSetting('apiBaseUrl', sandbox.url);
      }
    });
  });
});
