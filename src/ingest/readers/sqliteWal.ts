/**
 * Folds a SQLite write-ahead log into its database image, in memory, without touching either file.
 *
 * The writers open their databases in WAL mode (FORMATS 1.4, 1.5): committed rows can sit in
 * `<db>-wal` until a checkpoint. sql.js reads only the main image, so without this they would be
 * missed. Format: https://www.sqlite.org/fileformat.html#the_write_ahead_log. Only frames up to the
 * last commit whose salts and cumulative checksum verify are applied, exactly as SQLite's recovery does.
 */

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

export interface WalMerge {
  image: Uint8Array;
  framesApplied: number;
}

export function applyWal(main: Uint8Array, wal: Uint8Array | undefined): WalMerge {
  const image = applyFrames(main, wal);
  // Mark the image as a rollback-journal database so the reader does not look for a WAL of its own.
  if (image.image.length >= 20 && image.image[18] === 2 && image.image[19] === 2) {
    image.image[18] = 1;
    image.image[19] = 1;
  }
  return image;
}

function applyFrames(main: Uint8Array, wal: Uint8Array | undefined): WalMerge {
  const copy = (): WalMerge => ({ image: Uint8Array.from(main), framesApplied: 0 });
  if (!wal || wal.length < WAL_HEADER) return copy();
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x377f0682 && magic !== 0x377f0683) return copy();
  const bigEndian = (magic & 1) === 1;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return copy();
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  let [s0, s1] = checksum(view, 0, 24, bigEndian, 0, 0);
  if (s0 !== view.getUint32(24) || s1 !== view.getUint32(28)) return copy();

  const pages = new Map<number, number>(); // page number -> offset of its data in the WAL
  const pending = new Map<number, number>();
  let committedSize = 0;
  let framesApplied = 0;
  let pendingFrames = 0;
  for (let off = WAL_HEADER; off + FRAME_HEADER + pageSize <= wal.length; off += FRAME_HEADER + pageSize) {
    if (view.getUint32(off + 8) !== salt1 || view.getUint32(off + 12) !== salt2) break;
    [s0, s1] = checksum(view, off, 8, bigEndian, s0, s1);
    [s0, s1] = checksum(view, off + FRAME_HEADER, pageSize, bigEndian, s0, s1);
    if (s0 !== view.getUint32(off + 16) || s1 !== view.getUint32(off + 20)) break;
    pending.set(view.getUint32(off), off + FRAME_HEADER);
    pendingFrames++;
    const dbSizeAfterCommit = view.getUint32(off + 4);
    if (dbSizeAfterCommit !== 0) {
      for (const [page, dataOffset] of pending) pages.set(page, dataOffset);
      pending.clear();
      committedSize = dbSizeAfterCommit;
      framesApplied += pendingFrames;
      pendingFrames = 0;
    }
  }
  if (committedSize === 0) return copy();

  const image = new Uint8Array(committedSize * pageSize);
  image.set(main.subarray(0, Math.min(main.length, image.length)));
  for (const [page, dataOffset] of pages) {
    if (page >= 1 && page <= committedSize) image.set(wal.subarray(dataOffset, dataOffset + pageSize), (page - 1) * pageSize);
  }
  return { image, framesApplied };
}

function checksum(view: DataView, offset: number, length: number, bigEndian: boolean, a: number, b: number): [number, number] {
  let s0 = a;
  let s1 = b;
  const littleEndian = !bigEndian;
  for (let i = offset; i < offset + length; i += 8) {
    s0 = (s0 + view.getUint32(i, littleEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, littleEndian) + s0) >>> 0;
  }
  return [s0, s1];
}
