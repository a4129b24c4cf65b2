import type { PcmAudio, ProbeResult } from './types';
import { decodeWav } from './wav';

interface MpegDecoderModule {
  MPEGDecoder: new () => {
    ready: Promise<void>;
    decode(data: Uint8Array): { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors: unknown[] };
    free(): void;
  };
}

let mpg123: Promise<MpegDecoderModule> | undefined;

/** Decodes an MP3 with mpg123-decoder (libmpg123 compiled to WebAssembly, embedded in the package: no native code). */
export async function decodeMp3(bytes: Uint8Array): Promise<PcmAudio> {
  mpg123 ??= import('mpg123-decoder') as Promise<MpegDecoderModule>;
  const { MPEGDecoder } = await mpg123;
  const decoder = new MPEGDecoder();
  await decoder.ready;
  try {
    const out = decoder.decode(bytes);
    if (out.samplesDecoded === 0 || out.channelData.length === 0) {
      throw new Error('no MPEG audio could be decoded');
    }
    let channels = out.channelData.map((c) => c.slice(0, out.samplesDecoded));
    // The decoder always returns two channels; a mono MP3 comes back as two identical ones.
    if (channels.length === 2 && channels[0].every((v, i) => v === channels[1][i])) {
      channels = [channels[0]];
    }
    return { sampleRate: out.sampleRate, channels };
  } finally {
    decoder.free();
  }
}

/**
 * Decodes WAV (by hand) and MP3 (WebAssembly) to PCM. MP4/MOV (usually AAC) are not decoded: the only
 * pure-JS AAC decoders are GPL (FAAD2), so those files are checked by their headers and uploaded as they are.
 * Returns undefined for kinds that cannot be decoded.
 */
export async function decodeAudio(bytes: Uint8Array, probed: Pick<ProbeResult, 'kind'>): Promise<PcmAudio | undefined> {
  if (probed.kind === 'wav') {
    return decodeWav(bytes);
  }
  if (probed.kind === 'mp3') {
    return decodeMp3(bytes);
  }
  return undefined;
}
