import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { KlingVoiceApi, createApi } from './api';
import { KeyStore } from './service/keyStore';
import { TaskHistory } from './history/taskHistory';
import { registerFromFileCommands } from './fromFile/register';
import { registerCommands } from './commands/register';
import type { FetchLike } from './kling';
import { VoiceService } from './service/voiceService';
import { VoiceLibrary } from './library/voiceLibrary';
import { registerLibraryViews } from './library/register';
import { resumeInFlightTasks } from './commands/resume';
import { registerTrimmer } from './trimmer';
import { registerCreateVoiceWebviews } from './createForm';
import { SETTINGS } from './ids';
import { registerAgentTools } from './agentTools/register';
import { setWorkerTranslations, stopAudioWorker } from './audioWorker/host';
import { registerWalkthrough } from './walkthrough';

/**
 * node-fetch, loaded with the first request: its own bundle (dist/node-fetch.js, see tools/build/build.mjs), so
 * VS Code's start loads neither it nor Node's HTTP modules. It goes through Node's http module, which VS Code
 * patches for its proxy settings.
 */
const fetchOnFirstUse: FetchLike = (url, init) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy library: see tools/build/build.mjs
  (require('node-fetch') as typeof import('node-fetch')).default(url, init) as unknown as ReturnType<FetchLike>;

/** Composition root: build the objects, register them, return the public API. No network here. */
export function activate(context: vscode.ExtensionContext): KlingVoiceApi {
  // Every message of ours, the pure folders' included, goes through @vscode/l10n's t(): give it VS Code's bundle for
  // the display language first (undefined in English: the messages in the code are the English ones).
  l10n.config({ contents: vscode.l10n.bundle ?? {} });
  setWorkerTranslations(vscode.l10n.bundle);
  const log = vscode.window.createOutputChannel('Kling Voice', { log: true });
  const keys = new KeyStore(context.secrets);
  const history = new TaskHistory(context.globalState);
  const service = new VoiceService(keys, log, fetchOnFirstUse, history);
  const library = new VoiceLibrary(service, keys);
  context.subscriptions.push(
    log,
    keys,
    history,
    service,
    library,
    registerCommands({ keys, service, log }),
    registerLibraryViews({ service, library, log, keys, extensionUri: context.extensionUri }),
    registerCreateVoiceWebviews({ context, service, keys, log }),
    registerFromFileCommands({ context, service, log }),
    registerTrimmer({ context, service, log, keys, extensionUri: context.extensionUri }),
    // #klingVoices lists each voice with its local notes and tags.
    registerAgentTools({ context, service, library, keys, log, notes: library.notes }),
    registerWalkthrough(context, history),
  );
  void keys.updateContext();
  // Tasks left running by an earlier window finish normally (network only when such tasks exist).
  void Promise.all(resumeInFlightTasks(service, log));
  // Switching to another service stops the work on the old one (see VoiceService); switching back follows
  // its running tasks again.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.apiBaseUrl)) {
        void Promise.all(resumeInFlightTasks(service, log, { skipFollowed: true }));
      }
    }),
  );
  return createApi(service, async (file, input, options) =>
    (require('./fromFile/pipeline') as typeof import('./fromFile/pipeline')).createVoiceFromFile(
      { context, service, log },
      file,
      input,
      options,
    ),
  );
}

export function deactivate(): void {
  // Everything else is disposed through context.subscriptions.
  stopAudioWorker();
}
