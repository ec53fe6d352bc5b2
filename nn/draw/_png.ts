/**
 * A minimal PNG writer for the small heatmaps that the SVG drawings embed:
 * 8-bit RGB, no compression (stored deflate blocks), as a `data:` URL. No
 * dependency and no `Deno.*`, so it runs wherever the library does.
 *
 * @module
 */

const CRC_TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Encodes `rgb` (row-major, top row first, 3 bytes per pixel) as a PNG and
 * returns it as a `data:image/png;base64,...` URL.
 */
export function pngDataUrl(width: number, height: number, rgb: Uint8Array): string {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(
      `Cannot encode the PNG as the pixels must be ${width}x${height}x3 bytes: current length is ${rgb.length}`,
    );
  }
  // Raw scanlines: a filter byte (0, none) before each row.
  const rowBytes = width * 3 + 1;
  const raw = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * rowBytes + 1);
  }
  // zlib stream of stored deflate blocks of at most 65535 bytes.
  const blocks = Math.max(1, Math.ceil(raw.length / 65535));
  const zlib = new Uint8Array(2 + raw.length + 5 * blocks + 4);
  zlib[0] = 0x78;
  zlib[1] = 0x01;
  let at = 2;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, raw.length - start);
    zlib[at++] = b === blocks - 1 ? 1 : 0;
    zlib[at++] = len & 0xff;
    zlib[at++] = len >>> 8;
    zlib[at++] = ~len & 0xff;
    zlib[at++] = (~len >>> 8) & 0xff;
    zlib.set(raw.subarray(start, start + len), at);
    at += len;
  }
  let s1 = 1;
  let s2 = 0;
  for (let i = 0; i < raw.length; i++) {
    s1 = (s1 + raw[i]) % 65521;
    s2 = (s2 + s1) % 65521;
  }
  const adler = ((s2 << 16) | s1) >>> 0;
  new DataView(zlib.buffer).setUint32(at, adler);

  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, RGB, deflate, no filter, no interlace
  const chunks: [string, Uint8Array][] = [["IHDR", ihdr], ["IDAT", zlib], [
    "IEND",
    new Uint8Array(0),
  ]];
  const size = 8 + chunks.reduce((n, [, d]) => n + 12 + d.length, 0);
  const png = new Uint8Array(size);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  const view = new DataView(png.buffer);
  let p = 8;
  for (const [type, data] of chunks) {
    view.setUint32(p, data.length);
    for (let i = 0; i < 4; i++) png[p + 4 + i] = type.charCodeAt(i);
    png.set(data, p + 8);
    view.setUint32(p + 8 + data.length, crc32(png, p + 4, p + 8 + data.length));
    p += 12 + data.length;
  }
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000) {
    binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  }
  return `data:image/png;base64,${btoa(binary)}`;
}
