// Kling's documented rules for a custom voice, in one place: the API client, the audio checks, the shared form
// model, the pages and the dialogs all read them from here.

/** The longest voice name Kling accepts, in characters (code points, not bytes). */
export const MAX_VOICE_NAME_LENGTH = 20;

/** The sample length Kling accepts, in seconds. */
export const MIN_SAMPLE_SEC = 5;
export const MAX_SAMPLE_SEC = 30;

/** File types Kling documents for `voice_url`, with their dots. */
export const SUPPORTED_EXTENSIONS = ['.mp3', '.wav', '.mp4', '.mov'] as const;

/** The same types without dots, as file dialogs' filters take them. */
export const SAMPLE_EXTENSIONS: readonly string[] = SUPPORTED_EXTENSIONS.map((e) => e.slice(1));

/** True when a file name or path ends in one of the supported extensions (any case). */
export function hasSampleExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return SUPPORTED_EXTENSIONS.some((e) => lower.endsWith(e));
}
