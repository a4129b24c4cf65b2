// The Trial tab's A/B listen in a real extension host: voices created from local files (uploaded to a loopback upload
// endpoint, fetched by the sandbox), from public and signed links, from a video id, and a preset; the history records
// where each sample came from (never a query), and the tab's real page (dist/trialPlayer.js) is sent what it can play:
// a local file's bytes, a public link, or one line saying why not (a file gone since, a signed link, …).
import * as assert from 'assert';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike, VoiceTask } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { VoiceLibrary } from '../../src/library/voiceLibrary';
import { createVoiceFromFile } from '../../src/fromFile/pipeline';
import { TrialPlayer } from '../../src/trialPlayer/trialPlayer';
import type { HostToPlayer, PlayerSample } from '../../src/shared/protocol/trialPlayer';
import { concat, noise, silence, speechLike, wavBytes } from '../../tools/fixtures/audio';
import { startUploadEndpoint, type UploadEndpoint } from '../../tools/fakes/uploadEndpoint';
import type { Sandbox } from '../../tools/sandbox';
import {
  EXTENSION_ID,
  MemoryMemento,
  PAGE_READY_MS,
  TEST_KEY,
  memorySecrets,
  recordingLog,
  setSetting,
  startFileServer,
  useSandbox,
  waitFor,
} from './helpers';

describe('Trial tab: A/B listen with the source sample', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let endpoint: UploadEndpoint;
  let files: Awaited<ReturnType<typeof startFileServer>>;
  let dir: vscode.Uri;
  const file = (name: string) => vscode.Uri.joinPath(dir, name);
  const ok = wavBytes([speechLike(8)]);

  // One tab for the whole suite, as for a user: this workbench stalls webview loading for about 30 s after a tab
  // closed while its page was still loading media.
  let t: ReturnType<typeof makeDeps>;

  before(async () => {
    sandbox = await useSandbox({ processingDelayMs: 200 });
    await setSetting('pollIntervalSeconds', 0.1);
    endpoint = await startUploadEndpoint();
    files = await startFileServer();
    await setSetting('upload.provider', 'http');
    await setSetting('upload.http.url', `${endpoint.url}/upload`);
    await setSetting('upload.http.responseUrlPath', 'data.url');
    await setSetting('upload.consentedDestinations', [`${endpoint.url}/upload`]);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder);
    dir = vscode.Uri.joinPath(folder, 'ab-samples');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(file('ab voice.wav'), ok);
    await vscode.workspace.fs.writeFile(
      file('ab long.wav'),
      wavBytes([concat(silence(6), speechLike(20), noise(14, 16000, 0.01))]),
    );
    t = makeDeps();
  });

  after(async () => {
    t?.dispose();
    await setSetting('upload.provider', 'none');
    await setSetting('upload.consentedDestinations', []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await sandbox.close();
    await endpoint.close();
    await files.close();
  });

  function makeDeps() {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const { log, lines } = recordingLog();
    const keys = new KeyStore(memorySecrets({ 'klingVoice.apiKey': TEST_KEY }));
    const history = new TaskHistory(new MemoryMemento());
    const service = new VoiceService(keys, log, fetch as unknown as FetchLike, history);
    const library = new VoiceLibrary(service, keys);
    const player = new TrialPlayer({ extensionUri: ext.extensionUri, keys, log });
    const posted: HostToPlayer[] = [];
    player.onDidPost((m) => posted.push(m));
    const context = { secrets: memorySecrets(), globalState: new MemoryMemento() };
    return {
      ext,
      log,
      lines,
      history,
      service,
      library,
      player,
      posted,
      fromFile: (uri: vscode.Uri, voiceName: string, trim?: 'suggested') =>
        createVoiceFromFile({ context, service, log }, uri, { voiceName }, { consent: true, trim }),
      /** Plays a voice as the Play command does, and waits until its page got a settled sample. */
      async play(task: VoiceTask): Promise<PlayerSample> {
        const voice = task.voices[0];
        assert.ok(voice, `task ${task.taskId} has a voice`);
        const before = posted.length;
        assert.strictEqual(player.play(voice, library.sampleOrigin(voice)), true);
        const state = await waitFor(
          `the page to get the sample of ${voice.voiceName}`,
          () =>
            posted
              .slice(before)
              .find((m) => m.voiceId === voice.voiceId && m.sample.kind !== 'loading' && m === player.current),
          PAGE_READY_MS,
        );
        return state.sample;
      },
      dispose() {
        player.dispose();
        library.dispose();
        service.dispose();
        history.dispose();
        keys.dispose();
      },
    };
  }

  it("a local file: its place is recorded (no upload link); the page gets the file's bytes, blob: in its policy, no folder exposed; a file gone since is one calm line", async () => {
    try {
      const task = await t.fromFile(file('ab voice.wav'), 'AB Voice');
      assert.strictEqual(task.status, 'succeed');
      const entry = t.history.get(task.taskId);
      assert.deepStrictEqual(entry?.source, {
        kind: 'file',
        fileName: 'ab voice.wav',
        uri: file('ab voice.wav').toString(),
      });
      assert.ok(!JSON.stringify(entry).includes(endpoint.url), 'the upload link is not what is kept');

      const sample = await t.play(task);
      assert.strictEqual(sample.kind, 'bytes');
      assert.strictEqual(sample.mime, 'audio/wav');
      assert.strictEqual(sample.label, 'ab voice.wav');
      assert.strictEqual(sample.window, undefined);
      assert.strictEqual(Buffer.compare(Buffer.from(sample.bytes), Buffer.from(ok)), 0, 'the file, byte for byte');
      // A plain typed array: a Node Buffer would reach the page as JSON (its toJSON), an object of numbers.
      assert.strictEqual(Object.getPrototypeOf(sample.bytes), Uint8Array.prototype);
      const webview = t.player.panel?.webview;
      assert.ok(webview);
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(webview.html)?.[1] ?? '';
      assert.match(csp, /(^|; )media-src blob: https: http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*(;|$)/, csp);
      assert.match(csp, /default-src 'none'/);
      assert.deepStrictEqual(
        webview.options.localResourceRoots?.map((u) => u.path.slice(t.ext.extensionUri.path.length)),
        ['/dist', '/media'],
        'the sample folder is not a resource root',
      );

      // The file has gone since: one line instead of a player.
      await vscode.workspace.fs.delete(file('ab voice.wav'));
      const gone = await t.play(task);
      assert.strictEqual(gone.kind, 'none');
      assert.match(gone.reason, /no longer there .*ab voice\.wav/);
      assert.ok(!t.lines.some((l) => l.startsWith('error')), t.lines.join('\n'));
    } finally {
      await vscode.workspace.fs.writeFile(file('ab voice.wav'), ok);
    }
  });

  it('a trimmed window of a file: the window is recorded and sent with the bytes, and named in the label', async () => {
    const task = await t.fromFile(file('ab long.wav'), 'AB Window', 'suggested');
    assert.strictEqual(task.status, 'succeed');
    const source = t.history.get(task.taskId)?.source;
    assert.ok(source?.kind === 'file' && source.window, JSON.stringify(source));
    const { startSec, endSec } = source.window;
    assert.ok(endSec - startSec >= 5 && endSec - startSec <= 30, `${startSec}–${endSec}`);
    const sample = await t.play(task);
    assert.strictEqual(sample.kind, 'bytes');
    assert.deepStrictEqual(sample.window, source.window);
    assert.strictEqual(sample.label, `ab long.wav · ${startSec.toFixed(1)}–${endSec.toFixed(1)} s`);
  });

  it('a public link plays as it is; a signed link (a query) is never stored and says so; a video id and a preset say why not', async () => {
    const open = await t.service.createVoice({ voiceName: 'AB Link', voiceUrl: `${files.url}/sample.wav` });
    const url = await t.play(open);
    assert.deepStrictEqual(url.kind === 'url' && [url.url, url.label], [
      `${files.url}/sample.wav`,
      `${files.url}/sample.wav`,
    ]);

    const secret = 'X-Amz-Signature=feedc0ffee';
    const signed = await t.service.createVoice({
      voiceName: 'AB Signed',
      voiceUrl: `${files.url}/sample.wav?${secret}`,
    });
    assert.deepStrictEqual(t.history.get(signed.taskId)?.source, {
      kind: 'url',
      url: `${files.url}/sample.wav`,
      stripped: true,
    });
    const none = await t.play(signed);
    assert.strictEqual(none.kind, 'none');
    assert.match(none.reason, /query string/);
    assert.ok(!JSON.stringify(t.posted).includes('feedc0ffee'), 'the signature never reaches the page');

    const video = await t.service.createVoice({ voiceName: 'AB Video', videoId: '123456' });
    const fromVideo = await t.play(video);
    assert.match(fromVideo.kind === 'none' ? fromVideo.reason : '', /video 123456/);

    await t.library.refreshPresets();
    const preset = t.library.presetState.kind === 'loaded' ? t.library.presetState.items[0] : undefined;
    assert.ok(preset?.trialUrl);
    assert.strictEqual(t.player.play(preset, t.library.sampleOrigin(preset)), true);
    const presetSample = await waitFor('the preset state', () =>
      t.player.current?.voiceId === preset.voiceId ? t.player.current.sample : undefined,
    );
    assert.match(presetSample.kind === 'none' ? presetSample.reason : '', /preset voice has no sample/);
  });
});
