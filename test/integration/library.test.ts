import * as assert from 'assert';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import type { KlingVoiceApi } from '../../src/api';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike } from '../../src/kling';
import { pollTimes } from '../../src/kling/pollSchedule';
import { VoiceService } from '../../src/service/voiceService';
import { VoiceLibrary } from '../../src/library/voiceLibrary';
import { noKeyLabel, noListLabel, VoicesTreeProvider, type VoiceNode } from '../../src/library/trees';
import { seedVoice, type Sandbox } from '../../tools/sandbox';
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

async function hoverText(content: string, needle: string): Promise<string> {
  const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content });
  const offset = content.indexOf(needle) + 2;
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    doc.uri,
    doc.positionAt(offset),
  );
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n')
    .replace(/&nbsp;/g, ' ');
}

describe('Voice library, history, hover and snippets in a real extension host', function () {
  this.timeout(60_000);
  let api: KlingVoiceApi;
  let sandbox: Sandbox;

  before(async () => {
    api = await getApi();
    sandbox = await useSandbox({ processingDelayMs: 300 });
    await setSetting('pollIntervalSeconds', 0.1);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sandbox.close();
  });

  it('reads every page of a large account (520 voices, two pages of 500)', async () => {
    sandbox.reset();
    const t0 = Date.now() - 1_000_000;
    for (let i = 0; i < 520; i++) {
      seedVoice(sandbox, `Seed ${i}`, t0 + i);
    }
    const all = await api.listCustomVoices();
    assert.strictEqual(all.length, 520);
    const pages = sandbox.state.requests
      .filter((r) => r.method === 'GET' && r.path.endsWith('/custom-voices'))
      .map((r) => r.query.pageNum);
    assert.deepStrictEqual(pages, ['1', '2']);
  });

  it('hovering a voice id in any editor shows the voice name and owner, and nothing for unknown ids', async () => {
    sandbox.reset();
    const { voiceId } = seedVoice(sandbox, 'Hover Voice', Date.now());
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    const text = await hoverText(`const voice = "${voiceId}";\nconst other = "555555555555555555";`, voiceId);
    assert.match(text, /Hover Voice/);
    assert.match(text, /3817295046/);
    assert.match(text, /klingVoice\.playTrial/);
    const none = await hoverText(`const other = "555555555555555555";`, '555555555555555555');
    assert.doesNotMatch(none, /Kling voice/);
  });

  it('hovering a number loads the lists only on a line that mentions a voice', async () => {
    // Another service: what the library loaded before no longer applies, so nothing is cached.
    const fresh = await useSandbox();
    try {
      const { voiceId } = seedVoice(fresh, 'Warm Voice', Date.now());
      await hoverText(`const createdAt = 1789912000123456;`, '1789912000123456');
      await new Promise((r) => setTimeout(r, 500));
      assert.deepStrictEqual(
        fresh.state.requests.map((r) => r.path),
        [],
        'hovering an unrelated number sent nothing',
      );
      assert.doesNotMatch(
        await hoverText(`{ "voice_id": "${voiceId}" }`, voiceId),
        /Warm Voice/,
        'the first hover cannot know it yet',
      );
      await waitFor('the lists to load', () =>
        fresh.state.requests.some((r) => r.path.endsWith('/custom-voices')) ? true : undefined,
      );
      await waitFor('the hover to know the voice', async () =>
        /Warm Voice/.test(await hoverText(`{ "voice_id": "${voiceId}" }`, voiceId)) ? true : undefined,
      );
    } finally {
      await setSetting('apiBaseUrl', sandbox.url);
      await fresh.close();
    }
  });

  it('opens only web links as trial audio: a file: or vscode: link from the server is refused', async () => {
    sandbox.reset();
    for (const trialUrl of ['file:///etc/passwd', 'vscode://settings/open', 'javascript:alert(1)']) {
      const { taskId, voiceId } = seedVoice(sandbox, 'Odd Link', Date.now());
      const task = sandbox.state.tasks.get(taskId);
      assert.ok(task?.voice);
      task.voice.trial_url = trialUrl;
      await vscode.commands.executeCommand('klingVoice.refreshVoices');
      assert.strictEqual(await vscode.commands.executeCommand('klingVoice.playTrial', voiceId), false, trialUrl);
    }
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('plays a trial in a tab beside the code (one tab, reused for the next voice)', async () => {
    sandbox.reset();
    const a = seedVoice(sandbox, 'Tab Voice A', Date.now());
    const b = seedVoice(sandbox, 'Tab Voice B', Date.now());
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    const playerTabs = () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter(
          (t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('klingVoice.trialPlayer'),
        );
    assert.strictEqual(await vscode.commands.executeCommand('klingVoice.playTrial', a.voiceId), true);
    await waitFor('the player tab', () => playerTabs().find((t) => t.label === 'Trial: Tab Voice A'));
    assert.strictEqual(await vscode.commands.executeCommand('klingVoice.playTrial', b.voiceId), true);
    await waitFor('the same tab, renamed', () => playerTabs().find((t) => t.label === 'Trial: Tab Voice B'));
    assert.strictEqual(playerTabs().length, 1);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('completes voice ids where code asks for one: the name is shown, the id inserted; other strings get none', async () => {
    sandbox.reset();
    const { voiceId } = seedVoice(sandbox, 'Completion Voice', Date.now());
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    await vscode.commands.executeCommand('klingVoice.refreshPresets');
    const complete = async (content: string): Promise<vscode.CompletionItem[]> => {
      const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        doc.positionAt(content.length),
      );
      return list.items.filter(
        (i) => i.detail?.startsWith('My Kling voice') || i.detail?.startsWith('Kling preset voice'),
      );
    };
    const label = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
    const items = await complete('{ "voice_list": [{ "voice_id": "');
    const mine = items.find((i) => label(i) === 'Completion Voice');
    assert.ok(mine, items.map(label).join(', '));
    assert.strictEqual(mine.insertText, voiceId);
    assert.ok(
      items.some((i) => i.detail === 'Kling preset voice'),
      'the presets are offered too',
    );
    assert.ok(
      items.indexOf(mine) < items.findIndex((i) => i.detail === 'Kling preset voice') ||
        (mine.sortText ?? '') < (items.find((i) => i.detail === 'Kling preset voice')?.sortText ?? ''),
      'my voices sort first',
    );
    // Python and JavaScript spellings too; a string that is not a voice id gets nothing from us.
    assert.ok((await complete(`voice_id = '`)).some((i) => i.insertText === voiceId));
    assert.ok((await complete(`const request = { voiceId: "`)).some((i) => i.insertText === voiceId));
    assert.deepStrictEqual(await complete('{ "prompt": "'), []);
  });

  it('removes a deleted voice from the library (hover no longer knows it)', async () => {
    sandbox.reset();
    const { voiceId } = seedVoice(sandbox, 'Gone Soon', Date.now());
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    assert.match(await hoverText(`"${voiceId}"`, voiceId), /Gone Soon/);
    await api.deleteVoice(voiceId);
    await waitFor(
      'the library to drop the voice',
      async () => !/Gone Soon/.test(await hoverText(`"${voiceId}"`, voiceId)),
    );
  });

  it('keeps running tasks in the history and finishes them when followed again (restart)', async () => {
    // A service whose list endpoint is missing: whatever the library knows then comes from the local history.
    const noList = await useSandbox({ processingDelayMs: 1500, listEndpoint: false });
    try {
      const submitted = await api.createVoice({ voiceName: 'Resumed', videoId: '123456' }, { wait: false });
      assert.strictEqual(submitted.status, 'submitted');
      const inFlight = await vscode.commands.executeCommand<number>('klingVoice.resumeTasks');
      assert.strictEqual(inFlight, 0, 'every in-flight task was followed to its end');
      const done = await api.getTask(submitted.taskId);
      assert.strictEqual(done.status, 'succeed');
      const voiceId = done.voices[0].voiceId;
      await vscode.commands.executeCommand('klingVoice.refreshVoices');
      assert.match(
        await hoverText(`"${voiceId}"`, voiceId),
        /Resumed/,
        'the finished task is in the history with its voice',
      );
      const gets = noList.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith(submitted.taskId));
      assert.ok(gets.length >= 1, 'the task was polled again');
    } finally {
      await noList.close();
      await setSetting('apiBaseUrl', sandbox.url);
    }
  });

  it('a running task nobody follows is brought up to date by the account list (no polling needed)', async () => {
    const quick = await useSandbox({ processingDelayMs: 300 });
    try {
      const submitted = await api.createVoice({ voiceName: 'Unfollowed', videoId: '123456' }, { wait: false });
      await new Promise((r) => setTimeout(r, 800));
      const listed = await api.listCustomVoices();
      assert.strictEqual(listed.find((t) => t.taskId === submitted.taskId)?.status, 'succeed');
      const mark = quick.state.requests.length;
      const inFlight = await vscode.commands.executeCommand<number>('klingVoice.resumeTasks');
      assert.strictEqual(inFlight, 0, 'the history knows the task ended');
      assert.strictEqual(
        quick.state.requests.slice(mark).filter((r) => r.path.endsWith(submitted.taskId)).length,
        0,
        'no poll was needed',
      );
    } finally {
      await quick.close();
      await setSetting('apiBaseUrl', sandbox.url);
    }
  });

  describe('My Voices on a service without the list endpoint (like proxies that do not route it), and without a key', () => {
    /** A library and its tree of their own, over a history in memory (the extension's own are not touched). */
    function makeTree(history: TaskHistory, key?: string) {
      const keys = new KeyStore(memorySecrets(key ? { 'klingVoice.apiKey': key } : {}));
      const service = new VoiceService(keys, recordingLog().log, fetch as unknown as FetchLike, history);
      const library = new VoiceLibrary(service, keys);
      const tree = new VoicesTreeProvider(library);
      return { service, library, tree, dispose: () => [tree, library, service, keys].forEach((d) => d.dispose()) };
    }
    /** Opens the view: the first getChildren loads the account list; then the rows as they are once it settled. */
    async function rows(t: ReturnType<typeof makeTree>): Promise<{ node: VoiceNode; item: vscode.TreeItem }[]> {
      t.tree.getChildren();
      await waitFor('the account list to settle', () =>
        !['idle', 'loading'].includes(t.library.accountState.kind) ? true : undefined,
      );
      return t.tree.getChildren().map((node) => ({ node, item: t.tree.getTreeItem(node) }));
    }
    const icon = (i: vscode.TreeItem) => (i.iconPath instanceof vscode.ThemeIcon ? i.iconPath.id : undefined);
    const text = (v: string | vscode.MarkdownString | undefined) => (typeof v === 'string' ? v : (v?.value ?? ''));

    it('a list that answers 404: the local tasks and one info row, no error; the hover still finds the voice', async () => {
      const noList = await useSandbox({ listEndpoint: false, processingDelayMs: 200 });
      const t = makeTree(new TaskHistory(new MemoryMemento()), TEST_KEY);
      try {
        const ok = await t.service.createVoice({ voiceName: 'Made Here', videoId: '123456' });
        assert.strictEqual(ok.status, 'succeed');
        const voiceId = ok.voices[0].voiceId;
        const bad = await t.service.createVoice({ voiceName: 'Failed Here', videoId: '000000' });
        assert.strictEqual(bad.status, 'failed');

        const shown = await rows(t);
        assert.strictEqual(t.library.accountState.kind, 'unsupported');
        const listed = noList.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/custom-voices'));
        assert.ok(
          listed.length >= 1 && listed.every((r) => r.status === 404),
          'the list was asked for and answered 404',
        );
        const messages = shown.filter((r) => r.node.kind === 'message');
        assert.strictEqual(messages.length, 1, messages.map((m) => m.node.label).join(' | '));
        const info = messages[0];
        assert.strictEqual(info.node.label, noListLabel());
        assert.strictEqual(shown[0], info, 'the info row comes first');
        assert.strictEqual(icon(info.item), 'info');
        assert.strictEqual(info.item.description, undefined, 'no error text beside it');
        assert.strictEqual(info.item.command, undefined, 'not a "click to try again" error row');
        assert.match(
          text(info.item.tooltip),
          /has no list of custom voices \(.*HTTP 404.*\)\. Many proxies do not offer it\./,
        );
        assert.ok(!shown.some((r) => /Could not load/.test(r.node.label)));
        assert.deepStrictEqual(
          shown.filter((r) => r.node.kind !== 'message').map((r) => [r.node.label, r.node.kind]),
          [
            ['Failed Here', 'task'],
            ['Made Here', 'voice'],
          ],
        );
        assert.strictEqual(t.library.findVoice(voiceId)?.voiceName, 'Made Here', 'the hover finds it in the history');

        // A new voice changes nothing about the list: it is not asked for again, and the row stays.
        const before = noList.state.requests.length;
        await t.service.createVoice({ voiceName: 'Made Later', videoId: '654321' });
        const again = t.tree.getChildren();
        assert.strictEqual(again[0].label, noListLabel());
        assert.ok(again.some((n) => n.label === 'Made Later'));
        assert.ok(
          !noList.state.requests
            .slice(before)
            .some((r) => r.method === 'GET' && r.path.endsWith('/custom-voices') && !r.query.external_task_id),
        );
      } finally {
        t.dispose();
        await setSetting('apiBaseUrl', sandbox.url);
        await noList.close();
      }
    });

    it('a list that fails otherwise (429/1304) is still an error row', async () => {
      const broken = await useSandbox();
      const t = makeTree(new TaskHistory(new MemoryMemento()), TEST_KEY);
      try {
        broken.faults.push({
          kind: 'ip-whitelist',
          match: { method: 'GET', path: /^\/v1\/general\/custom-voices$/ },
          count: Infinity,
        });
        const shown = await rows(t);
        assert.strictEqual(t.library.accountState.kind, 'error');
        assert.strictEqual(shown[0].node.label, 'Could not load your voices');
        assert.strictEqual(icon(shown[0].item), 'error');
      } finally {
        t.dispose();
        await setSetting('apiBaseUrl', sandbox.url);
        await broken.close();
      }
    });

    it('no key, with tasks made here: one row asks for the key (no row without tasks: the welcome view does)', async () => {
      const history = new TaskHistory(new MemoryMemento());
      const withKey = makeTree(history, TEST_KEY);
      try {
        assert.strictEqual(
          (await withKey.service.createVoice({ voiceName: 'Keyless View', videoId: '123456' })).status,
          'succeed',
        );
      } finally {
        withKey.dispose();
      }
      const t = makeTree(history);
      const empty = makeTree(new TaskHistory(new MemoryMemento()));
      try {
        const shown = await rows(t);
        assert.strictEqual(t.library.accountState.kind, 'nokey');
        assert.strictEqual(shown[0].node.label, noKeyLabel());
        assert.strictEqual(icon(shown[0].item), 'key');
        assert.strictEqual(shown[0].item.command?.command, 'klingVoice.setApiKey');
        assert.deepStrictEqual(
          shown.slice(1).map((r) => r.node.label),
          ['Keyless View'],
        );
        assert.deepStrictEqual(await rows(empty), [], 'an empty view leaves the asking to the welcome view');
      } finally {
        t.dispose();
        empty.dispose();
      }
    });
  });

  it('two followers of one running task share one polling loop', async () => {
    const slow = await useSandbox({ processingDelayMs: 1500 });
    try {
      const submitted = await api.createVoice({ voiceName: 'Shared', videoId: '123456' }, { wait: false });
      const [a, b] = await Promise.all([
        vscode.commands.executeCommand<number>('klingVoice.resumeTasks'),
        vscode.commands.executeCommand<number>('klingVoice.resumeTasks'),
      ]);
      assert.deepStrictEqual([a, b], [0, 0]);
      const polls = slow.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith(submitted.taskId)).length;
      // One loop checks as the poll schedule says (a resumed task at once, then every 0.1 s unit): about 12 times in
      // 1.5 s; two separate loops would check about twice as often.
      const oneLoop = pollTimes(1500, 100, { checkFirstAtMs: 0 }).length;
      assert.ok(polls >= 2 && polls <= oneLoop + 3, `${polls} polls; one loop makes about ${oneLoop}`);
    } finally {
      await slow.close();
      await setSetting('apiBaseUrl', sandbox.url);
    }
  });

  it('inserts a V2.6 video request using the voice at the cursor, as JSON or curl, never with the key', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '' });
    const editor = await vscode.window.showTextDocument(doc);
    assert.ok(await vscode.commands.executeCommand('klingVoice.insertSnippet', '930801338081615883', 'json'));
    const body = JSON.parse(editor.document.getText()) as {
      model_name: string;
      sound: string;
      prompt: string;
      voice_list: { voice_id: string }[];
    };
    assert.strictEqual(body.model_name, 'kling-v2-6');
    assert.strictEqual(body.sound, 'on');
    assert.deepStrictEqual(body.voice_list, [{ voice_id: '930801338081615883' }]);
    assert.match(body.prompt, /<<<voice_1>>>/);
    const doc2 = await vscode.workspace.openTextDocument({ language: 'shellscript', content: '' });
    const editor2 = await vscode.window.showTextDocument(doc2);
    assert.ok(await vscode.commands.executeCommand('klingVoice.insertSnippet', '930801338081615883', 'curl'));
    const curl = editor2.document.getText();
    assert.match(
      curl,
      new RegExp(`^curl -X POST '${sandbox.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/v1/videos/text2video'`),
    );
    assert.match(curl, /\$KLING_API_KEY/);
    assert.ok(!curl.includes(TEST_KEY));
  });

  it("from a webview beside the code (the form's panel), the snippet goes to the editor used last, at its cursor", async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '' });
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('klingVoice.openPanel');
    await waitFor('the panel to be active', () => (vscode.window.activeTextEditor === undefined ? true : undefined));
    const before = vscode.workspace.textDocuments.length;
    assert.ok(await vscode.commands.executeCommand('klingVoice.insertSnippet', '930801338081615884', 'json'));
    assert.match(doc.getText(), /"voice_id": "930801338081615884"/);
    assert.strictEqual(vscode.workspace.textDocuments.length, before, 'no new document was opened');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
