// What the extension's start needs of the audio worker, without loading its client (worker_threads and the rest
// are loaded with the first audio job): the translations a worker starts with, and stopping it at deactivation.

let translations: Record<string, string> = {};
let stop: (() => void) | undefined;

/** The translations workers start with (the host's bundle for the display language; {} in English). */
export function setWorkerTranslations(contents: Record<string, string> | undefined): void {
  translations = contents ?? {};
}

export function workerTranslations(): Record<string, string> {
  return translations;
}

/** Called by the client when it starts the shared worker: how to stop it. */
export function onStopAudioWorker(stopIt: () => void): void {
  stop = stopIt;
}

/** Stops the shared worker, if one was started (deactivation). */
export function stopAudioWorker(): void {
  stop?.();
  stop = undefined;
}
