// Reading one table cell into a bundle value. Only what a table cannot say is converted here
// (numbers, booleans, empty cells); codes, dates and ranges are left to the bundle validation,
// whose messages then appear at the cell. Text is kept exactly, spaces included.

export type CellType = 'text' | 'category' | 'integer' | 'number' | 'boolean' | 'date';

export type CellValue =
  | { ok: true; value: unknown }
  /**
   * Empty where a value is required, or not a value of the type. The caller keeps `raw` in the
   * field (or leaves an empty one out), so that no other rule takes it for a valid value.
   */
  | { ok: false; message: string; raw: string };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const TRUE_WORDS = new Set(['1', 'true']);
const FALSE_WORDS = new Set(['0', 'false']);

/**
 * The bundle value of a cell.
 *
 * @param type how the column is written
 * @param raw the cell's text
 * @param nullable whether an empty cell means null
 */
export function readCell(type: CellType, raw: string, nullable: boolean): CellValue {
  if (raw === '') return nullable ? { ok: true, value: null } : { ok: false, message: 'is required (the cell is empty)', raw };
  switch (type) {
    case 'text':
    case 'category':
    case 'date':
      return { ok: true, value: raw };
    case 'integer':
      return INTEGER.test(raw) ? { ok: true, value: Number(raw) } : { ok: false, message: `must be a whole number (got ${JSON.stringify(raw)})`, raw };
    case 'number':
      return DECIMAL.test(raw) ? { ok: true, value: Number(raw) } : { ok: false, message: `must be a number with "." for decimals (got ${JSON.stringify(raw)})`, raw };
    case 'boolean': {
      const word = raw.toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, message: `must be 1 (yes) or 0 (no) (got ${JSON.stringify(raw)})`, raw };
    }
  }
}

/** Set `value` at a dotted path inside `target`, creating objects on the way. */
export function setField(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[keys[keys.length - 1]!] = value;
}
