/**
 * Reads the track headers of an ISO base media file (.mp4) or QuickTime movie (.mov).
 * music-metadata 11 leaves the duration of QuickTime files undefined, and Kling cares about the
 * audio track's length, not the movie's, so we read `moov/trak/mdia/{mdhd,hdlr,minf/stbl/stsd}` here.
 */

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

interface Box {
  type: string;
  start: number; // payload start
  end: number;
}

function readBoxes(view: DataView, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let pos = start;
  while (pos + 8 <= end) {
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

/** Returns undefined when the bytes do not start like an ISO BMFF / QuickTime file. */
export function readIsoBmff(bytes: Uint8Array): IsoInfo | undefined {
  if (bytes.length < 16) {
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const top = readBoxes(view, 0, bytes.length);
  if (!top.some((b) => ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'].includes(b.type))) {
    return undefined;
  }
  const moov = top.find((b) => b.type === 'moov');
  const info: IsoInfo = { tracks: [] };
  if (!moov) {
    return info;
  }
  for (const box of readBoxes(view, moov.start, moov.end)) {
    if (box.type === 'mvhd' && box.end - box.start >= 20) {
      const v = view.getUint8(box.start);
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
  const visit = (parent: Box) => {
    for (const box of readBoxes(view, parent.start, parent.end)) {
      if (CONTAINERS.has(box.type)) {
        visit(box);
      } else if (box.type === 'mdhd' && box.end - box.start >= 24) {
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
  visit(trak);
  return track;
}

function fourcc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}
