/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface PcmAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** The file types Kling documents for `voice_url`. */
export type SampleKind = 'wav' | 'mp3' | 'mp4' | 'mov';

/** What a look at the file's bytes found. Nothing here needs decoding the audio. */
export interface ProbeResult {
  fileName: string;
  /** Lower-case extension with the dot, e.g. ".wav". */
  extension: string;
  sizeBytes: number;
  /** false when the bytes are not an audio or video file we can read (e.g. text renamed to .mp3). */
  isAudio: boolean;
  /** The kind the bytes are (from the container, not the name); undefined when not a supported kind. */
  kind?: SampleKind;
  /** Container as music-metadata names it, e.g. "WAVE", "MPEG", "isom/iso2/mp41", "qt". */
  container?: string;
  /** Audio codec, e.g. "PCM", "MPEG 1 Layer 3", "MPEG-4/AAC". */
  codec?: string;
  /** Seconds of audio; for .mp4/.mov the audio track's duration. */
  durationSec?: number;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  hasVideo?: boolean;
  /** true when decodeAudio() can turn this file into PCM (wav, mp3). */
  decodable: boolean;
  /** Why isAudio is false, or a note on what could not be read. */
  problem?: string;
}
