/**
 * Streams the lines of a JSONL file from a byte offset with one reusable buffer (FORMATS.md section 4:
 * files of 500-750 MB exist; never load a file whole). A line longer than the buffer is assembled from
 * copies of its pieces, up to `maxLineBytes`; a longer one is counted and passed over without keeping it.
 * Reads stop at the size the file had when the read began, so a file that is being written is read to a
 * fixed point; the bytes after the last newline (a line the writer has not finished) are handed back.
 */
import { promises as fsp } from 'node:fs';

export const DEFAULT_CHUNK_BYTES = 1 << 20;
/** Lines above this are reported instead of read (real lines reach ~400 KB). */
export const DEFAULT_MAX_LINE_BYTES = 64 << 20;

export interface LineSink {
  /** A complete line without its newline (nor a trailing CR). Valid only during the call. */
  line(bytes: Buffer, lineNumber: number, offset: number): void;
  /** A line longer than `maxLineBytes`: passed over. */
  tooLong(lineNumber: number, offset: number, length: number): void;
}

export interface LinesRead {
  /** The offset after the last newline read: where the next read starts. */
  end: number;
  /** Complete lines read. */
  lines: number;
  /** Bytes after the last newline up to the size read (a line being written, or a file without a final newline). */
  partial: Buffer | null;
  /** Length of that tail (also when it was longer than `maxLineBytes` and not kept). */
  partialBytes: number;
  /** The size the file had when the read began (bytes read = size - from). */
  size: number;
}

export interface LineReadOptions {
  chunkBytes?: number;
  maxLineBytes?: number;
}

/**
 * Reads the lines of `file` from byte `from`; `firstLine` is the 1-based number of the first line there.
 * One buffer: a line cut by the end of a read is moved to the buffer's start and completed by the next
 * read (the buffer doubles for a line longer than it, up to `maxLineBytes`), so no line is copied twice.
 */
export async function readLines(file: string, from: number, firstLine: number, sink: LineSink, options: LineReadOptions = {}): Promise<LinesRead> {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const handle = await fsp.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    let buf = Buffer.allocUnsafe(Math.max(1024, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    let position = from;
    let lineNumber = firstLine;
    let lineOffset = from; // where the line in buf[0, carried) starts in the file
    let carried = 0; // bytes of an unfinished line at the start of buf
    let skipping = -1; // >= 0: the length so far of an over-long line being passed over
    let lines = 0;

    const done = (length: number): void => {
      lineOffset += length + 1;
      lineNumber++;
      lines++;
    };

    while (position < size) {
      if (carried === buf.length) {
        if (buf.length >= maxLine + 1) {
          skipping = carried; // longer than allowed: pass over the rest of it
          carried = 0;
        } else {
          const bigger = Buffer.allocUnsafe(Math.min(maxLine + 1, buf.length * 2));
          buf.copy(bigger, 0, 0, carried);
          buf = bigger;
        }
      }
      const { bytesRead } = await handle.read(buf, carried, Math.min(buf.length - carried, size - position), position);
      if (bytesRead === 0) break; // the file shrank while being read: stop at what is there
      position += bytesRead;
      const n = carried + bytesRead;
      let start = 0;
      let scanFrom = carried;
      for (let nl = buf.indexOf(0x0a, scanFrom); nl >= 0 && nl < n; nl = buf.indexOf(0x0a, start)) {
        if (skipping >= 0) {
          const length = skipping + nl - start;
          sink.tooLong(lineNumber, lineOffset, length);
          skipping = -1;
          done(length);
        } else {
          const end = nl > start && buf[nl - 1] === 0x0d ? nl - 1 : nl;
          sink.line(buf.subarray(start, end), lineNumber, lineOffset);
          done(nl - start);
        }
        start = nl + 1;
        scanFrom = start;
      }
      if (skipping >= 0) {
        skipping += n - start;
        carried = 0;
      } else {
        buf.copyWithin(0, start, n);
        carried = n - start;
        if (carried > maxLine) {
          skipping = carried;
          carried = 0;
        }
      }
    }
    const partialBytes = skipping >= 0 ? skipping : carried;
    const partial = skipping < 0 && carried > 0 ? Buffer.from(buf.subarray(0, carried)) : null;
    return { end: lineOffset, lines, partial, partialBytes, size: position };
  } finally {
    await handle.close();
  }
}
