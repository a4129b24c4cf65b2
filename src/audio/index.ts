// Voice sample inspection: probe, rules, decode, quality report, best window, WAV export.
// Pure Node/TypeScript: no `vscode` import, so all of it runs in plain mocha.
export * from './types';
export * from './probe';
export * from './rules';
export * from './decode';
export * from './quality';
export * from './levels';
export * from './window';
export * from './trim';
export * from './envelope';
export { decodeWav, decodeWavMono, encodeWavMono16, mixToMono, readWavHeader, WavError } from './wav';
export { readIsoBmff } from './isoBmff';
export { mpegFrameLength, sniffContainer, type Sniffed } from './sniff';
export type { IsoInfo, IsoTrack } from './isoBmff';
export { reportMarkdown, summaryLine } from './report';
