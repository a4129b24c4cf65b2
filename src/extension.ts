import * as vscode from 'vscode';
import fetch from 'node-fetch';
import { KlingVoiceApi, createApi } from './api';
import { KeyStore } from './auth/keyStore';
import { registerCommands } from './commands/register';
import type { FetchLike } from './kling';
import { VoiceService } from './service/voiceService';

/** Composition root: build the objects, register them, return the public API. No network here. */
export function activate(context: vscode.ExtensionContext): KlingVoiceApi {
  const log = vscode.window.createOutputChannel('Kling Voice', { log: true });
  const keys = new KeyStore(context.secrets);
  // node-fetch goes through Node's http module, which VS Code patches for its proxy settings.
  const service = new VoiceService(keys, log, fetch as unknown as FetchLike);
  context.subscriptions.push(log, keys, registerCommands({ keys, service, log }));
  void keys.updateContext();
  return createApi(service);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
