/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface PcmAudio {
  sampleRate: number;
  channels: Float32Array[];
  /**
   * Set when the file's channels were mixed down to mono while decoding (decodeAudio keeps only the mono mix:
   * it is all the window, the envelope and the export need): the levels of the file's own channels, which the
   * quality report uses instead of measuring `channels`.
   */
  source?: ChannelLevels;
}

/** Levels measured over every sample of every channel (see LevelMeter). */
export interface ChannelLevels {
  /** How many channels were measured (a two-channel MP3 whose channels are identical counts as one). */
  channels: number;
  /** Highest |sample|. */
  peak: number;
  /** Sum of the squared samples. */
  sumSq: number;
  /** Samples in flat full-scale runs (clipping). */
  clipped: number;
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
