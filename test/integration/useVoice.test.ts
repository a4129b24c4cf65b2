import * as assert from 'assert';
import * as vscode from 'vscode';
import { seedVoice, type Sandbox } from '../../tools/sandbox';
import { TEST_KEY, getApi, useSandbox, waitFor } from './helpers';

interface UseVoiceResult {
  text?: string;
  refused?: string;
}

const PRESETS = ['829301554810966001', '829301554810966002', '829301554810966003'];
const LIMITS: Record<string, number> = {
  'v26-text2video': 2,
  'v26-image2video': 2,
  'v26-new-i2v': 2,
  element: 1,
  kling4: 3,
};

describe('Use This Voice… and the checks inside requests, in a real extension host', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let mine: string;

  before(async () => {
    await getApi();
    sandbox = await useSandbox({ processingDelayMs: 300 });
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
    mine = seedVoice(sandbox, 'Use Me').voiceId;
    await vscode.commands.executeCommand('klingVoice.refreshVoices');
    await vscode.commands.executeCommand('klingVoice.refreshPresets');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sandbox.close();
  });

  for (const [target, limit] of Object.entries(LIMITS)) {
    for (let n = 1; n <= Math.min(3, limit + 1); n++) {
      it(`${target}: ${n} voice(s) → ${n <= limit ? 'a request sandbox accepts' : 'refused with the reason, nothing inserted'}`, async () => {
        const ids = [mine, ...PRESETS].slice(0, n);
        const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '' });
        await vscode.window.showTextDocument(doc);
        const result = await vscode.commands.executeCommand<UseVoiceResult>('klingVoice.useVoice', ids, {
          target,
          format: 'json',
          where: 'cursor',
        });
        if (n > limit) {
          assert.match(result.refused ?? '', target === 'element' ? /one voice/ : new RegExp(`at most ${limit}`));
          assert.strictEqual(doc.getText(), '');
          return;
        }
        assert.strictEqual(doc.getText(), result.text);
        const body = JSON.parse(doc.getText()) as Record<string, unknown>;
        // The sandbox checks the shape the way Kling would (voices, references, audio) and answers with a task.
        const path = {
          'v26-text2video': '/v1/videos/text2video',
          'v26-image2video': '/v1/videos/image2video',
          'v26-new-i2v': '/image-to-video/kling-2.6',
          element: '/v1/general/advanced-custom-elements',
          kling4: '/omni-video/kling-4.0',
        }[target];
        const res = await fetch(`${sandbox.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TEST_KEY}` },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as { code: number; message: string };
        assert.strictEqual(res.status, 200, answer.message);
        assert.deepStrictEqual(sandbox.state.videoRequests.at(-1)?.voiceIds, ids);
        await new Promise((r) => setTimeout(r, 600)); // past the checks' debounce
        const diagnostics = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Kling Voice');
        assert.deepStrictEqual(diagnostics, [], 'a generated request has no warning');
      });
    }
  }

  it('curl into a new editor: the base URL and $KLING_API_KEY, never the key', async () => {
    const result = await vscode.commands.executeCommand<UseVoiceResult>('klingVoice.useVoice', [mine], {
      target: 'kling4',
      format: 'curl',
      where: 'newEditor',
    });
    const editor = vscode.window.activeTextEditor;
    assert.strictEqual(editor?.document.getText(), result.text);
    assert.match(result.text ?? '', /preview: verify with your provider/);
    assert.ok(result.text?.includes(`'${sandbox.url}/omni-video/kling-4.0'`));
    assert.ok(!result.text?.includes(TEST_KEY));
  });

  it('warns in a request with too many voices, an unknown voice and a dangling reference; the quick fix repairs one', async () => {
    const content = `{
  "contents": [
    {"type": "prompt", "text": "@narrator says hi"},
    {"type": "voice", "voice_id": "${mine}", "id": "1"},
    {"type": "voice", "voice_id": "${PRESETS[0]}", "id": "2"},
    {"type": "voice", "voice_id": "123456789012345678", "id": "3"}
  ],
  "settings": {"audio": "off"}
}`;
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content });
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('the warnings', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'Kling Voice');
      return d.length >= 4 ? d : undefined;
    });
    const byCode = diags.map((d) => String(d.code)).sort();
    assert.deepStrictEqual(byCode, ['audioOff', 'tooManyVoices', 'unknownReference', 'unknownVoice']);
    const audio = diags.find((d) => d.code === 'audioOff')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      doc.uri,
      audio.range,
    );
    const fix = actions.find((a) => a.title === 'Set audio to "native"');
    assert.ok(fix?.edit, 'quick fix offered');
    await vscode.workspace.applyEdit(fix.edit);
    assert.match(doc.getText(), /"audio": "native"/);
    await waitFor('the audio warning to go', () =>
      vscode.languages.getDiagnostics(doc.uri).some((x) => x.code === 'audioOff') ? undefined : true,
    );
  });
});
