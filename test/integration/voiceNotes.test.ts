// Local notes and tags of voices: edited through the command, shown by the agent list tool, the hover and completion;
// My Voices filtered by a tag and counting its voices; exported to a JSON file and imported back.
import * as assert from 'assert';
import * as vscode from 'vscode';
import fetch from 'node-fetch';
import { seedVoice, type Sandbox } from '../../tools/sandbox';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { VoiceLibrary } from '../../src/library/voiceLibrary';
import { VoicesTreeProvider, countDescription } from '../../src/library/trees';
import { COMMANDS, SECRETS, TOOLS } from '../../src/ids';
import {
  MemoryMemento,
  TEST_KEY,
  getApi,
  memorySecrets,
  recordingLog,
  setSetting,
  startFileServer,
  useSandbox,
  waitFor,
} from './helpers';

async function listedVoice(voiceId: string): Promise<Record<string, unknown> | undefined> {
  const result = await vscode.lm.invokeTool(TOOLS.listVoices, {
    input: { include: 'own' },
    toolInvocationToken: undefined,
  });
  const part = result.content.find((p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart);
  const value = JSON.parse(part?.value ?? '{}') as { ownVoices?: Record<string, unknown>[] };
  return value.ownVoices?.find((v) => v.voiceId === voiceId);
}

describe('Voice notes and tags (local), export and import', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let files: Awaited<ReturnType<typeof startFileServer>>;

  before(async () => {
    await getApi();
    sandbox = await useSandbox({ processingDelayMs: 200 });
    await setSetting('pollIntervalSeconds', 0.1);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
    files = await startFileServer();
  });

  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.clearVoiceFilter);
    await sandbox.close();
    await files.close();
  });

  it('edit → list tool, hover and completion show it; export (no key, no query) → cleared → import gives it back', async () => {
    const api = await getApi();
    const statement = "I have the speaker's permission to clone this voice for the notes test.";
    const task = await api.createVoice(
      { voiceName: 'Noted Voice', voiceUrl: `${files.url}/sample.wav?token=s3cr3t-query` },
      { consent: { statement } },
    );
    assert.strictEqual(task.status, 'succeed');
    const voiceId = task.voices[0].voiceId;
    await vscode.commands.executeCommand(COMMANDS.refreshVoices);

    const saved = await vscode.commands.executeCommand<{ tags: string[] }>(COMMANDS.editVoiceNotes, voiceId, {
      notes: 'Calm narrator for the product videos',
      tags: 'EN, Female; narration',
    });
    assert.deepStrictEqual(saved.tags, ['en', 'female', 'narration']);
    const listed = await listedVoice(voiceId);
    assert.strictEqual(listed?.notes, 'Calm narrator for the product videos');
    assert.deepStrictEqual(listed?.tags, ['en', 'female', 'narration']);

    const content = `{ "voice_id": "${voiceId}" }`;
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
    const hover = await waitFor('the hover to show the notes', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        doc.positionAt(content.indexOf(voiceId) + 2),
      );
      const text = h
        .flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : c.value)))
        .join('\n')
        .replace(/&nbsp;/g, ' ')
        .replace(/\\(.)/g, '$1');
      return text.includes('Calm narrator') ? text : undefined;
    });
    assert.match(hover, /#en #female #narration/);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      doc.uri,
      doc.positionAt(content.indexOf(voiceId)),
    );
    const item = list.items.find((i) => i.insertText === voiceId);
    assert.match(String(item?.detail), /My Kling voice #en #female #narration/);

    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder);
    const file = vscode.Uri.joinPath(folder, 'kling-voice-notes.json');
    await vscode.commands.executeCommand(COMMANDS.exportVoiceNotes, file);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    assert.ok(!text.includes(TEST_KEY), 'no key in the export');
    assert.ok(!text.includes('s3cr3t') && !text.includes('token='), 'no URL query in the export');
    const exported = (JSON.parse(text) as { voices: Record<string, unknown>[] }).voices.find(
      (v) => v.voiceId === voiceId,
    );
    assert.ok(exported);
    assert.strictEqual(exported.voiceName, 'Noted Voice');
    assert.strictEqual(exported.notes, 'Calm narrator for the product videos');
    const consent = exported.consent as Record<string, unknown> & { sample: Record<string, unknown> };
    assert.strictEqual(consent.statement, statement);
    assert.strictEqual(consent.via, 'api');
    assert.strictEqual(consent.taskId, task.taskId);
    assert.deepStrictEqual(consent.sample, {
      kind: 'url',
      url: `${files.url}/sample.wav`,
      host: new URL(files.url).host,
    });

    await vscode.commands.executeCommand(COMMANDS.editVoiceNotes, voiceId, { notes: '', tags: '' });
    assert.strictEqual((await listedVoice(voiceId))?.notes, undefined, 'cleared');
    const imported = await vscode.commands.executeCommand<{ notes: number; consents: number }>(
      COMMANDS.importVoiceNotes,
      file,
    );
    assert.strictEqual(imported.notes, 1);
    assert.strictEqual(imported.consents, 0, 'this machine has the record already');
    const back = await listedVoice(voiceId);
    assert.strictEqual(back?.notes, 'Calm narrator for the product videos');
    assert.deepStrictEqual(back?.tags, ['en', 'female', 'narration']);
    await vscode.workspace.fs.delete(file);
  });

  it('My Voices: the tree shows the tags, the tooltip the consent; a tag filter; the view counts voices and running tasks', async () => {
    const memento = new MemoryMemento();
    const keys = new KeyStore(memorySecrets({ [SECRETS.apiKey]: TEST_KEY }));
    const service = new VoiceService(keys, recordingLog().log, fetch as unknown as FetchLike, new TaskHistory(memento));
    const library = new VoiceLibrary(service, keys);
    const tree = new VoicesTreeProvider(library);
    try {
      const a = await service.createVoice(
        { voiceName: 'Tagged', videoId: '555555' },
        { consent: { statement: 'This is my own voice; I clone it for tests.', via: 'api' } },
      );
      const other = seedVoice(sandbox, 'Untagged');
      await library.refreshAccount();
      const aId = a.voices[0].voiceId;
      await library.notes.set({ voiceId: aId, notes: 'Warm', tags: ['zh', 'male'], updatedAt: Date.now() });
      const all = tree.getChildren();
      const tagged = all.find((n) => n.voice?.voiceId === aId);
      assert.ok(tagged && all.some((n) => n.voice?.voiceId === other.voiceId));
      const ti = tree.getTreeItem(tagged);
      assert.match(String(ti.description), /^#zh #male · Warm · \d+/);
      // appendText escapes the markdown (spaces as &nbsp;, punctuation with a backslash): read it back as text.
      const tip = (ti.tooltip instanceof vscode.MarkdownString ? ti.tooltip.value : String(ti.tooltip))
        .replace(/&nbsp;/g, ' ')
        .replace(/\\(.)/g, '$1');
      assert.match(tip, /Consent: "This is my own voice; I clone it for tests\."/);
      assert.match(tip, /stated by an extension through the API; sample: Kling video 555555/);

      tree.setTagFilter('male');
      const filtered = tree.getChildren();
      assert.deepStrictEqual(
        filtered.filter((n) => n.voice).map((n) => n.voice?.voiceId),
        [aId],
      );
      assert.match(filtered[0].label, /Only voices tagged #male/);
      tree.setTagFilter(undefined);
      assert.ok(tree.getChildren().length >= 2);

      const items = library.items();
      const voices = items.filter((i) => i.status === 'succeed' && i.voice).length;
      assert.strictEqual(countDescription(items), voices === 1 ? '1 voice' : `${voices} voices`);
      assert.strictEqual(
        countDescription([...items, { taskId: 'x', status: 'processing', voiceName: 'R', localOnly: true }], 'male'),
        `${voices} voices · 1 running · #male`,
      );
      // The filter command with a tag: the extension's own My Voices, and its context key for the title buttons.
      assert.strictEqual(await vscode.commands.executeCommand(COMMANDS.filterVoicesByTag, 'Male'), 'male');
    } finally {
      [tree, library, service, keys].forEach((d) => d.dispose());
    }
  });
});
