// Commands and language-model tools whose code is loaded on first use.
//
// A lazy feature is a module that src/ loads with `require('./x') as typeof import('./x')` where it is first needed
// (never with a static import): the build puts it in dist/features.js, which VS Code's start does not load, and
// maps what it shares with dist/extension.js to the same module objects (tools/build/features.mjs). A `require()`,
// not an `import()`: TypeScript keeps an `import()` as a real ES module import in the tests' CommonJS output, where
// the `vscode` module cannot be loaded.
import * as vscode from 'vscode';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command arguments are whatever the caller passes
export type CommandHandler = (...args: any[]) => unknown;

/** A load done once; a failed load is tried again on the next call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((e: unknown) => {
      loading = undefined;
      throw e;
    }));
}

/**
 * Registers `ids` now, each running its handler from `load()`'s table (loaded on the first of them). TypeScript
 * checks that the table has a handler for every id.
 */
export function registerLazyCommands<K extends string>(
  ids: readonly K[],
  load: () => Promise<Record<K, CommandHandler>>,
): vscode.Disposable {
  const handlers = once(load);
  return vscode.Disposable.from(
    ...ids.map((id) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => (await handlers())[id](...args)),
    ),
  );
}

/** A language-model tool registered now whose implementation is loaded on its first use. */
export function lazyTool<T>(load: () => Promise<vscode.LanguageModelTool<T>>): vscode.LanguageModelTool<T> {
  return {
    prepareInvocation: async (options, token) => (await load()).prepareInvocation?.(options, token),
    invoke: async (options, token) => (await load()).invoke(options, token),
  };
}
