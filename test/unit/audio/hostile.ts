// Crafted files for the sniffing and fuzz tests.

/** One ISO BMFF box: 32-bit size, four-character type, payload. */
export function box(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(payload, 8);
  return out;
}

/** An MP4 whose moov holds one trak nested `depth` levels deep (built inside out, without recursion). */
export function nestedMp4(depth: number): Uint8Array {
  let inner: Uint8Array = box('mdhd', new Uint8Array(24));
  for (let i = 0; i < depth; i++) {
    inner = box(i % 2 ? 'mdia' : 'trak', inner);
  }
  const ftyp = box('ftyp', Buffer.from('isom\0\0\0\0isommp41', 'latin1'));
  const moov = box('moov', inner);
  return Buffer.concat([ftyp, moov]);
}
