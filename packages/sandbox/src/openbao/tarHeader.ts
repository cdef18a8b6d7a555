/**
 * Minimal ustar writer: the double builds snapshots by hand so that tests read them
 * with an independent parser (tar-stream) and the generator never buffers an entry.
 */
export const TAR_BLOCK = 512;

function writeOctal(buf: Buffer, value: number, offset: number, width: number) {
  const text = value.toString(8).padStart(width - 1, '0');
  buf.write(`${text}\0`, offset, width, 'ascii');
}

/** A 512-byte ustar header for a regular file. */
export function tarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(TAR_BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 0o600, 100, 8);
  writeOctal(h, 0, 108, 8);
  writeOctal(h, 0, 116, 8);
  writeOctal(h, size, 124, 12);
  writeOctal(h, Math.floor(mtime / 1000), 136, 12);
  h.fill(' ', 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += h[i];
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** Zero bytes that pad an entry of `size` bytes to the block boundary. */
export function tarPadding(size: number): Buffer {
  const rest = size % TAR_BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : TAR_BLOCK - rest, 0);
}

/** Two zero blocks end the archive. */
export const TAR_END = Buffer.alloc(TAR_BLOCK * 2, 0);
