import * as assert from 'assert';
import fetch from 'node-fetch';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import { isKlingError, type FetchLike } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { VoiceLibrary } from '../../src/library/voiceLibrary';
import { VoicesTreeProvider } from '../../src/library/trees';
import type { Sandbox } from '../../tools/sandbox';
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

describe('A task followed past klingVoice.taskTimeoutMinutes', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let files: Awaited<ReturnType<typeof startFileServer>>;

  before(async () => {
    await getApi();
    sandbox = await useSandbox({ processingDelayMs: 6000 });
    files = await startFileServer();
    await setSetting('pollIntervalSeconds', 0.1);
    await setSetting('taskTimeoutMinutes', 0.05); // 3 s
  });
  after(async () => {
    await setSetting('taskTimeoutMinutes', undefined);
    await files.close();
    await sandbox.close();
  });

  it('is still running at Kling, not failed: it stays in My Voices with Check Task, and the account list picks it up when it ends', async () => {
    const history = new TaskHistory(new MemoryMemento());
    const keys = new KeyStore(memorySecrets({ 'klingVoice.apiKey': TEST_KEY }));
    const service = new VoiceService(keys, recordingLog().log, fetch as unknown as FetchLike, history);
    const library = new VoiceLibrary(service, keys);
    const tree = new VoicesTreeProvider(library);
    try {
      const error = await service.createVoice({ voiceName: 'Slow One', voiceUrl: `${files.url}/sample.wav` }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(isKlingError(error) && error.kind === 'taskTimeout', `got ${String(error)}`);
      assert.match(error.message, /still (submitted|processing)/);
      assert.doesNotMatch(error.message, /failed/i);
      const taskId = error.taskId as string;
      assert.ok(['submitted', 'processing'].includes(history.get(taskId)?.status ?? ''), 'not marked failed');
      await library.refreshAccount();
      const row = tree.getChildren().find((n) => n.item?.taskId === taskId);
      assert.ok(row, 'listed in My Voices');
      // 'task.running' rows carry Check Task (menu when: viewItem =~ /^(voice|task)/).
      assert.strictEqual(tree.getTreeItem(row).contextValue, 'task.running');
      await waitFor(
        'Kling to finish the task',
        () => (sandbox.state.tasks.get(taskId)?.status === 'succeed' ? true : undefined),
        15_000,
      );
      await library.refreshAccount();
      assert.strictEqual(history.get(taskId)?.status, 'succeed', 'the account list brought the history up to date');
      const done = tree.getChildren().find((n) => n.item?.taskId === taskId);
      assert.strictEqual(done?.kind, 'voice');
    } finally {
      [tree, library, service, keys].forEach((d) => d.dispose());
    }
  });
});
