/**
 * Tiny PCM WAV generator used by the Kling sandbox (trial_url previews) and handy for tests and manual runs.
 * Developer tooling only: not shipped with the extension.
 */

export interface SineWavOptions {
  /** Samples per second (default 16000). */
  sampleRate?: number;
  /** Tone frequency in Hz (default 440). */
  frequency?: number;
  /** Peak amplitude in [0, 1] (default 0.3). */
  amplitude?: number;
}

/** A mono 16-bit little-endian PCM WAV file containing a sine tone of `seconds` seconds. */
export function sineWav(seconds: number, options: SineWavOptions = {}): Buffer {
  const sampleRate = options.sampleRate ?? 16000;
  const frequency = options.frequency ?? 440;
  const amplitude = Math.max(0, Math.min(1, options.amplitude ?? 0.3));
  const samples = Math.max(0, Math.round(seconds * sampleRate));
  const dataBytes = samples * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  const peak = 32767 * amplitude;
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * peak), 44 + i * 2);
  }
  return buf;
}
