// What the Trial tab can play of the sample a voice was cloned from (the A/B listen), decided from what the history
// kept. No vscode import: unit-tested in plain mocha.
import * as l10n from '@vscode/l10n';
import type { SourceWindow, TaskSource } from '../history/source';
import { formatNumber } from '../shared/format';
import { isPlayableLink } from '../shared/url';

/** Where the sample is to be fetched from, or the one calm line that says why there is none to play. */
export type SamplePlan =
  /** A public link the page may play itself (https, or http on this machine: the page's media-src). */
  | { kind: 'url'; url: string; label: string }
  /** A local file: the host reads it and posts its bytes (see TrialPlayer). */
  | { kind: 'file'; uri: string; fileName: string; label: string; window?: SourceWindow }
  | { kind: 'none'; reason: string };

/** Who the voice is: a preset has no sample of the user's; a voice of the account may not have been created here. */
export interface SampleOrigin {
  source?: TaskSource;
  preset?: boolean;
}

/** "narrator.wav · 3.0–18.0 s": the file and the part of it that was sent. */
export function windowLabel(fileName: string, window: SourceWindow | undefined): string {
  return window
    ? l10n.t('{0} · {1}–{2} s', fileName, formatNumber(window.startSec, 1), formatNumber(window.endSec, 1))
    : fileName;
}

/**
 * What the Trial tab can play as the voice's sample. A link is played only when it was stored whole: a URL that had
 * a query or user info (a presigned link's signature, a token) was stored without it, and never a credential, so
 * it is not played. A video id's sound cannot be fetched. A voice without a recorded source was created elsewhere.
 */
export function samplePlan(origin: SampleOrigin): SamplePlan {
  const { source } = origin;
  if (origin.preset && !source) {
    return { kind: 'none', reason: l10n.t('A preset voice has no sample of yours to compare it with.') };
  }
  switch (source?.kind) {
    case undefined:
      return {
        kind: 'none',
        reason: l10n.t('This voice was not created in VS Code on this machine, so its sample is not known here.'),
      };
    case 'video':
      return {
        kind: 'none',
        reason: l10n.t('The sample was the sound of Kling video {0}, which cannot be played here.', source.videoId),
      };
    case 'url':
      if (source.stripped) {
        return {
          kind: 'none',
          reason: l10n.t(
            "The sample's link had a query string (a signature or token), which is never stored, so it cannot be played here.",
          ),
        };
      }
      if (!isPlayableLink(source.url)) {
        return {
          kind: 'none',
          reason: l10n.t('Only https links can be played here; the sample was {0}.', source.url),
        };
      }
      return { kind: 'url', url: source.url, label: source.url };
    case 'file':
      if (!source.uri) {
        return {
          kind: 'none',
          reason: l10n.t(
            'Where {0} was on this machine was not recorded, so it cannot be played here.',
            source.fileName,
          ),
        };
      }
      return {
        kind: 'file',
        uri: source.uri,
        fileName: source.fileName,
        label: windowLabel(source.fileName, source.window),
        window: source.window,
      };
  }
}

/** The type the page gives the Blob of a sample's bytes (by the file's extension; the page needs one to play it). */
export function sampleMime(fileName: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  switch (ext) {
    case 'wav':
      return 'audio/wav';
    case 'mp3':
      return 'audio/mpeg';
    case 'mp4':
      return 'video/mp4';
    case 'mov':
      return 'video/quicktime';
    default:
      return 'application/octet-stream';
  }
}
