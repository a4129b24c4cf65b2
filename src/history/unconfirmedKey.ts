// Pure: unit-tested in plain mocha.
import { withoutSecrets } from '../shared/url';
import type { CreateVoiceInput } from '../kling/types';
import type { TaskSource } from './source';

/**
 * What makes two creates "the same voice" for the unconfirmed-create check (an earlier create whose outcome is
 * unknown is looked up, and its external_task_id reused, only for the same voice): the name and the sample.
 * - A URL counts without its query and fragment: a presigned link signed again for the same object is the same
 *   sample, and signatures are not stored.
 * - A video id counts as it is.
 * - An uploaded local file (`source` of kind 'file') counts as that file, never as its upload's URL, which is new
 *   on every upload: a retry that uploads the file again must still find the earlier create. `sample` tells what was
 *   sent of the file (its size and a hash of the bytes, the trimmed window), so another take of the same file, or
 *   another window of it, is another voice.
 */
export function unconfirmedKey(
  input: Pick<CreateVoiceInput, 'voiceName' | 'voiceUrl' | 'videoId'>,
  source?: TaskSource,
  sample?: string,
): string {
  const name = input.voiceName.trim();
  if (source?.kind === 'file') {
    return [name, 'file', source.uri ?? source.fileName, sample ?? ''].join('\u0000');
  }
  const videoId = input.videoId?.trim();
  if (videoId) {
    return [name, 'video', videoId].join('\u0000');
  }
  const url = (input.voiceUrl ?? '').trim();
  return [name, 'url', withoutSecrets(url) ?? url].join('\u0000');
}
