// Voice sample inspection: probe, rules, decode, quality report, best window, WAV export.
// Pure Node/TypeScript: no `vscode` import, so all of it runs in plain mocha.
export * from './types';
export * from './source';
export * from './probe';
export * from './rules';
export * from './analysis';
export * from './decode';
export * from './quality';
export * from './levels';
export * from './window';
export * from './trim';
export * from './envelope';
export {
  decodeWav,
  decodeWavMono,
  encodeWavMono16,
  mixToMono,
  readWavHeader,
  readWavHeaderFrom,
  readWavRange,
  streamWav,
  WavError,
  type StreamedFacts,
} from './wav';
export { readMp3Range, streamMp3, type Mp3Index } from './mp3';
export { MpegStream, mpegPieces, type MpegPiece } from './mpegStream';
export { readIsoBmff, readIsoBmffFrom } from './isoBmff';
export { mpegFrameLength, sniffContainer, sniffSource, type Sniffed } from './sniff';
export type { IsoInfo, IsoTrack } from './isoBmff';
export { reportMarkdown, summaryLine } from './report';
