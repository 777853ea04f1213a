/**
 * Appends typed-array columns to a table a vector at a time. The high-level node-api vectors set each
 * cell (and its validity bit, with BigInt arithmetic) one by one; here numeric columns are copied into
 * DuckDB's vectors in one call per 2048 rows, validity masks are built with plain integer bit operations,
 * and only string columns cost one call per cell.
 */
import bindings from '@duckdb/node-bindings';
import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, TINYINT, VARCHAR } from '@duckdb/node-api';
import type { DuckDBAppender, DuckDBType } from '@duckdb/node-api';

export type BulkColumn =
  /** Codes or ids; `nullCode` marks NULL. */
  | { type: 'int32'; values: Int32Array; nullCode?: number }
  /** Small numbers; `nullCode` marks NULL. */
  | { type: 'int8'; values: Int8Array; nullCode?: number }
  /** 0 / 1. */
  | { type: 'bool'; values: Uint8Array }
  /** NaN is NULL. */
  | { type: 'double'; values: Float64Array }
  | { type: 'varchar'; values: readonly (string | null)[] };

const DUCK_TYPES: Record<BulkColumn['type'], DuckDBType> = { int32: INTEGER, int8: TINYINT, bool: BOOLEAN, double: DOUBLE, varchar: VARCHAR };
const CHUNK = bindings.vector_size();

export function bulkAppend(appender: DuckDBAppender, columns: readonly BulkColumn[], rows: number): void {
  const types = columns.map((c) => DUCK_TYPES[c.type]);
  const mask = new Uint8Array(Math.ceil(CHUNK / 64) * 8);
  for (let start = 0; start < rows; start += CHUNK) {
    const n = Math.min(CHUNK, rows - start);
    const chunk = DuckDBDataChunk.create(types, n);
    columns.forEach((column, index) => {
      const vector = bindings.data_chunk_get_vector(chunk.chunk, index);
      let hasNull = false;
      mask.fill(0xff);
      if (column.type === 'varchar') {
        for (let i = 0; i < n; i++) {
          const v = column.values[start + i];
          if (v === null || v === undefined) {
            hasNull = true;
            mask[i >> 3]! &= ~(1 << (i & 7));
          } else {
            bindings.vector_assign_string_element(vector, i, v);
          }
        }
      } else {
        const values = column.values;
        const width = values.BYTES_PER_ELEMENT;
        bindings.copy_data_to_vector(vector, 0, values.buffer as ArrayBuffer, values.byteOffset + start * width, n * width);
        if (column.type === 'double') {
          for (let i = 0; i < n; i++) {
            if (Number.isNaN(column.values[start + i]!)) {
              hasNull = true;
              mask[i >> 3]! &= ~(1 << (i & 7));
            }
          }
        } else if (column.type !== 'bool' && column.nullCode !== undefined) {
          const nullCode = column.nullCode;
          for (let i = 0; i < n; i++) {
            if (column.values[start + i] === nullCode) {
              hasNull = true;
              mask[i >> 3]! &= ~(1 << (i & 7));
            }
          }
        }
      }
      if (hasNull) {
        bindings.vector_ensure_validity_writable(vector);
        bindings.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, Math.ceil(n / 64) * 8);
      }
    });
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
}
