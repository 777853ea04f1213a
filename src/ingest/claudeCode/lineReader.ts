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

/** Reads the lines of `file` from byte `from`; `firstLine` is the 1-based number of the first line there. */
export async function readLines(file: string, from: number, firstLine: number, sink: LineSink, options: LineReadOptions = {}): Promise<LinesRead> {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const handle = await fsp.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const buf = Buffer.allocUnsafe(Math.max(1024, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    let position = from;
    let lineNumber = firstLine;
    let lineOffset = from; // where the line being assembled starts
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    let overLong = false;
    let lines = 0;

    const emit = (last: Buffer): void => {
      const total = pieceBytes + last.length;
      if (overLong || total > maxLine) {
        sink.tooLong(lineNumber, lineOffset, total);
      } else {
        let whole = pieces.length ? Buffer.concat([...pieces, last], total) : last;
        if (whole.length && whole[whole.length - 1] === 0x0d) whole = whole.subarray(0, whole.length - 1);
        sink.line(whole, lineNumber, lineOffset);
      }
      lineOffset += total + 1;
      lineNumber++;
      lines++;
      pieces = [];
      pieceBytes = 0;
      overLong = false;
    };

    while (position < size) {
      const { bytesRead: n } = await handle.read(buf, 0, Math.min(buf.length, size - position), position);
      if (n === 0) break; // the file shrank while being read: stop at what is there
      let start = 0;
      for (let nl = buf.indexOf(0x0a, 0); nl >= 0 && nl < n; nl = buf.indexOf(0x0a, start)) {
        emit(buf.subarray(start, nl));
        start = nl + 1;
      }
      if (start < n) {
        const rest = n - start;
        if (!overLong && pieceBytes + rest <= maxLine) {
          pieces.push(Buffer.from(buf.subarray(start, n)));
        } else {
          overLong = true;
          pieces = [];
        }
        pieceBytes += rest;
      }
      position += n;
    }
    const partial = pieceBytes > 0 && !overLong ? Buffer.concat(pieces, pieceBytes) : null;
    return { end: lineOffset, lines, partial, partialBytes: pieceBytes, size: position };
  } finally {
    await handle.close();
  }
}
