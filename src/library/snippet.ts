import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';

export type SnippetFormat = 'json' | 'curl';

/**
 * A ready request for Kling V2.6 text-to-video with sound that speaks with the given voice
 * (see Kling's video API docs): `voice_list` holds the id and the prompt names it `<<<voice_1>>>`.
 * The key is never inserted; curl reads it from $KLING_API_KEY.
 */
export function videoRequestBody(voice: Pick<Voice, 'voiceId' | 'voiceName'>): Record<string, unknown> {
  return {
    model_name: 'kling-v2-6',
    prompt: l10n.t(
      'A presenter looks into the camera. <<<voice_1>>> says: "Hello, this is {0}."',
      voice.voiceName || l10n.t('my custom voice'),
    ),
    sound: 'on',
    voice_list: [{ voice_id: voice.voiceId }],
    duration: '5',
    aspect_ratio: '16:9',
  };
}

export function snippetText(
  voice: Pick<Voice, 'voiceId' | 'voiceName'>,
  format: SnippetFormat,
  baseUrl: string,
): string {
  const json = JSON.stringify(videoRequestBody(voice), null, 2);
  if (format === 'json') {
    return json;
  }
  const url = `${baseUrl.replace(/\/+$/, '')}/v1/videos/text2video`;
  return [
    `curl -X POST ${shellQuote(url)} \\`,
    `  -H "Authorization: Bearer $KLING_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(json)}`,
  ].join('\n');
}

/** One argument for a POSIX shell: single quotes, each ' inside written as '\'' (nothing in it is expanded). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
