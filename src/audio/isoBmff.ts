/**
 * Reads the track headers of an ISO base media file (.mp4) or QuickTime movie (.mov).
 * music-metadata 11 leaves the duration of QuickTime files undefined, and Kling cares about the
 * audio track's length, not the movie's, so we read `moov/trak/mdia/{mdhd,hdlr,minf/stbl/stsd}` here.
 */
import type { ByteSource } from './source';

export interface IsoTrack {
  /** Handler type: "soun" for audio, "vide" for video. */
  handler: string;
  timescale: number;
  durationSec?: number;
  /** Sample entry format of the first entry, e.g. "mp4a", "lpcm", "sowt". */
  format?: string;
  channels?: number;
  sampleRate?: number;
}

export interface IsoInfo {
  /** The movie header's duration (all tracks). */
  movieDurationSec?: number;
  tracks: IsoTrack[];
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
/** trak/mdia/minf/stbl/stsd is four levels deep: anything far deeper is a crafted file, not a movie. */
const MAX_DEPTH = 16;
/** Boxes read in one container; a real moov has a handful of tracks, and a file of tiny boxes is not a movie. */
const MAX_BOXES = 4096;

interface Box {
  type: string;
  start: number; // payload start
  end: number;
}

function readBoxes(view: DataView, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let pos = start;
  while (pos + 8 <= end && boxes.length < MAX_BOXES) {
    let size = view.getUint32(pos);
    const type = String.fromCharCode(
      view.getUint8(pos + 4),
      view.getUint8(pos + 5),
      view.getUint8(pos + 6),
      view.getUint8(pos + 7),
    );
    let header = 8;
    if (size === 1) {
      if (pos + 16 > end) {
        break;
      }
      size = Number(view.getBigUint64(pos + 8));
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) {
      // Truncated last box (e.g. a file cut short): keep what fits.
      boxes.push({ type, start: pos + header, end });
      break;
    }
    boxes.push({ type, start: pos + header, end: pos + size });
    pos += size;
  }
  return boxes;
}

const TOP_BOXES = ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'];

/** Returns undefined when the bytes do not start like an ISO BMFF / QuickTime file. */
export function readIsoBmff(bytes: Uint8Array): IsoInfo | undefined {
  if (bytes.length < 16) {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const top = readBoxes(view, 0, bytes.length);
  if (!top.some((b) => TOP_BOXES.includes(b.type))) {
    return undefined;
  }
  const moov = top.find((b) => b.type === 'moov');
  return moov ? readMoov(view, moov) : { tracks: [] };
}

/**
 * readIsoBmff() on a source: the top-level box headers are read one by one (the media data between them is not),
 * then the movie box alone.
 */
export function readIsoBmffFrom(source: ByteSource): IsoInfo | undefined {
  if (source.size < 16) {
    return undefined;
  }
  const top: Box[] = [];
  const end = source.size;
  // The same walk as readBoxes(), on the headers alone.
  for (let pos = 0; pos + 8 <= end && top.length < MAX_BOXES;) {
    const head = source.read(pos, 16);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    let size = view.getUint32(0);
    const type = fourcc(view, 4);
    let header = 8;
    if (size === 1) {
      if (pos + 16 > end) {
        break;
      }
      size = Number(view.getBigUint64(8));
      header = 16;
    } else if (size === 0) {
      size = end - pos;
    }
    if (size < header || pos + size > end) {
      top.push({ type, start: pos + header, end }); // cut short: keep what fits
      break;
    }
    top.push({ type, start: pos + header, end: pos + size });
    pos += size;
  }
  if (!top.some((b) => TOP_BOXES.includes(b.type))) {
    return undefined;
  }
  const moov = top.find((b) => b.type === 'moov');
  if (!moov) {
    return { tracks: [] };
  }
  const body = source.read(moov.start, moov.end - moov.start).slice();
  return readMoov(new DataView(body.buffer), { type: 'moov', start: 0, end: body.length });
}

function readMoov(view: DataView, moov: Box): IsoInfo {
  const info: IsoInfo = { tracks: [] };
  for (const box of readBoxes(view, moov.start, moov.end)) {
    if (box.type === 'mvhd' && box.end - box.start >= 20) {
      const v = view.getUint8(box.start);
      if (v === 1 && box.end - box.start < 32) {
        continue; // a version-1 header with 64-bit fields, cut short
      }
      const timescale = view.getUint32(box.start + (v === 1 ? 20 : 12));
      const duration = v === 1 ? Number(view.getBigUint64(box.start + 24)) : view.getUint32(box.start + 16);
      if (timescale > 0) {
        info.movieDurationSec = duration / timescale;
      }
    } else if (box.type === 'trak') {
      info.tracks.push(readTrack(view, box));
    }
  }
  return info;
}

function readTrack(view: DataView, trak: Box): IsoTrack {
  const track: IsoTrack = { handler: '', timescale: 0 };
  const visit = (parent: Box, depth: number) => {
    if (depth > MAX_DEPTH) {
      return;
    }
    for (const box of readBoxes(view, parent.start, parent.end)) {
      if (CONTAINERS.has(box.type)) {
        visit(box, depth + 1);
      } else if (
        box.type === 'mdhd' &&
        box.end - box.start >= 24 &&
        (view.getUint8(box.start) !== 1 || box.end - box.start >= 32)
      ) {
        const v = view.getUint8(box.start);
        track.timescale = view.getUint32(box.start + (v === 1 ? 20 : 12));
        const duration = v === 1 ? Number(view.getBigUint64(box.start + 24)) : view.getUint32(box.start + 16);
        if (track.timescale > 0 && duration !== 0xffffffff) {
          track.durationSec = duration / track.timescale;
        }
      } else if (box.type === 'hdlr' && box.end - box.start >= 12 && !track.handler) {
        // The first handler is the media's (mdia/hdlr); QuickTime adds a data handler ("alis", "url ") in minf.
        track.handler = fourcc(view, box.start + 8);
      } else if (box.type === 'stsd' && box.end - box.start >= 16) {
        const entry = box.start + 8;
        track.format = fourcc(view, entry + 4);
        // Audio sample entry: 8 header + 6 reserved + 2 data ref + 2 version + 2 revision + 4 vendor, then channels, size.
        if (entry + 36 <= box.end) {
          track.channels = view.getUint16(entry + 24);
          track.sampleRate = view.getUint32(entry + 32) / 65536;
        }
      }
    }
  };
  visit(trak, 0);
  return track;
}

function fourcc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}
