// The audit hash chains of an smp-backup/1 archive, checked before anything is restored: the
// rows of `audit_event` and `audit_chain` are read from their COPY text and every chain is
// recomputed, so an archive whose trail was edited (and its checksum made again) is refused.
// Archives made before the trail was chained (no `chain_hash` column) have nothing to check.
import { AuditChainChecker, sha256Hex, type ChainVerdict, type StoredChainEntry, type StoredChainHead } from './audit-chain.ts';

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** One field of a COPY text line: null for `\N`, otherwise the text with its escapes undone. */
export function copyFieldValue(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_, code: string) => {
    if (code[0] === 'x') return String.fromCharCode(parseInt(code.slice(1), 16));
    if (/^[0-7]/.test(code)) return String.fromCharCode(parseInt(code, 8));
    return ESCAPES[code] ?? code;
  });
}

/** A one-dimensional text[] literal (`{A,"B C",NULL}`) as its elements. */
export function textArrayElements(literal: string): string[] {
  if (!literal.startsWith('{') || !literal.endsWith('}')) throw new Error(`"${literal}" is not an array`);
  const body = literal.slice(1, -1);
  const elements: string[] = [];
  let i = 0;
  while (i < body.length) {
    let element = '';
    if (body[i] === '"') {
      for (i++; i < body.length && body[i] !== '"'; i++) element += body[i] === '\\' ? body[++i] : body[i];
      i++;
    } else {
      for (; i < body.length && body[i] !== ','; i++) element += body[i];
      if (element === 'NULL') throw new Error('an array holds NULL');
    }
    elements.push(element);
    if (i < body.length && body[i] !== ',') throw new Error(`"${literal}" is not an array`);
    i++;
  }
  return elements;
}

/** A timestamptz as COPY writes it in UTC (`2026-12-06 09:22:05.1234+00`), in the chain's form. */
export function chainTime(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/.exec(text);
  if (!match) throw new Error(`the time "${text}" is not in UTC as a backup writes it`);
  return `${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(6, '0')}Z`;
}

/** bytea as COPY writes it in hex output (`\x0a1b…`, after the field's escapes are undone). */
function byteaValue(text: string): Buffer {
  if (!/^\\x([0-9a-f]{2})*$/.test(text)) throw new Error('a bytea value is not in hex form');
  return Buffer.from(text.slice(2), 'hex');
}

/** Reads an archive's audit sections and recomputes their chains. */
export class ArchiveChainCheck {
  private readonly checker = new AuditChainChecker();
  private readonly heads: StoredChainHead[] = [];
  private columns: { table: 'audit_event' | 'audit_chain'; index: Map<string, number> } | undefined;
  /** Whether the archive's trail is chained at all (made after the chain was introduced). */
  private chained = false;

  /** A new table section begins. */
  table(name: string, columns: readonly string[]): void {
    this.columns = undefined;
    if (name !== 'audit_event' && name !== 'audit_chain') return;
    if (name === 'audit_event' && !columns.includes('chain_hash')) return;
    if (name === 'audit_event') this.chained = true;
    this.columns = { table: name, index: new Map(columns.map((column, i) => [column, i])) };
  }

  /** Whole lines of the current section, each ending in a newline. */
  rows(text: string): void {
    if (!this.columns) return;
    for (const line of text.split('\n')) {
      if (line !== '') this.row(line);
    }
  }

  /** The verdict, or null for an archive whose trail is not chained. */
  finish(): ChainVerdict | null {
    return this.chained ? this.checker.finish(this.heads) : null;
  }

  private row(line: string): void {
    const { table, index } = this.columns!;
    const fields = line.split('\t');
    const text = (column: string): string | null => {
      const at = index.get(column);
      if (at === undefined || at >= fields.length) throw new Error(`the ${table} section has no column ${column}`);
      return copyFieldValue(fields[at]!);
    };
    const required = (column: string): string => {
      const value = text(column);
      if (value === null) throw new Error(`${table}.${column} is empty`);
      return value;
    };
    if (table === 'audit_chain') {
      const hash = text('last_hash');
      this.heads.push({ chain: required('chain'), last_audit_id: text('last_audit_id'), last_hash: hash === null ? null : byteaValue(hash) });
      return;
    }
    const json = (column: string): unknown => {
      const value = text(column);
      return value === null ? null : JSON.parse(value);
    };
    const userId = text('user_id');
    const bundle = text('replaced_bundle');
    const entry: StoredChainEntry = {
      audit_id: required('audit_id'),
      occurred_at: chainTime(required('occurred_at')),
      request_id: text('request_id'),
      user_id: userId === null ? null : Number(userId),
      username: required('username'),
      role: required('role'),
      action: required('action'),
      entity: required('entity'),
      entity_key: required('entity_key'),
      study_code: text('study_code'),
      site_codes: textArrayElements(required('site_codes')),
      participant_code: text('participant_code'),
      before: json('before'),
      after: json('after'),
      reason: text('reason'),
      replaced_bundle_sha256: bundle === null ? null : sha256Hex(byteaValue(bundle)),
      chain_hash: byteaValue(required('chain_hash')),
    };
    this.checker.add(entry);
  }
}
