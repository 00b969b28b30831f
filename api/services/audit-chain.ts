// The audit trail's hash chain: each study's entries (and, as one more chain, the entries outside
// any study) are linked by SHA-256, each hash taken over the previous entry's hash and the entry's
// own canonical content, so that an entry changed or removed after it was written breaks the chain
// from there on. The canonical content is defined here, once; the checker below recomputes every
// hash from the stored columns.
import { createHash } from 'node:crypto';

/** The hash before a chain's first entry: 32 zero bytes. */
export const GENESIS_HASH: Uint8Array = new Uint8Array(32);

/** The chain an entry belongs to: its study's code, or '' for changes outside any study. */
export const chainOf = (studyCode: string | null): string => studyCode ?? '';

/**
 * An entry's columns as the chain covers them: every column of `audit_event` but the hash itself,
 * with the time in UTC to the microsecond (`2026-12-06T09:22:05.123456Z`), the id as decimal text,
 * and the replaced study (gzip bytes) as the hex SHA-256 of those bytes.
 */
export interface AuditChainContent {
  audit_id: string;
  occurred_at: string;
  request_id: string | null;
  user_id: number | null;
  username: string;
  role: string;
  action: string;
  entity: string;
  entity_key: string;
  study_code: string | null;
  site_codes: readonly string[];
  participant_code: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  replaced_bundle_sha256: string | null;
}

/**
 * JSON in the JSON Canonicalization Scheme (RFC 8785): no whitespace, object members sorted by
 * their names' UTF-16 code units, numbers and strings as ECMAScript's JSON.stringify writes them.
 * @throws on a value JSON cannot hold (undefined, a function, NaN or an infinity)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`canonical JSON cannot hold the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== undefined);
    members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  throw new Error(`canonical JSON cannot hold a value of type ${typeof value}`);
}

/** An entry's canonical content: the RFC 8785 JSON of its columns (AuditChainContent). */
export function canonicalAuditContent(row: AuditChainContent): string {
  const content: Record<string, unknown> = {
    audit_id: row.audit_id,
    occurred_at: row.occurred_at,
    request_id: row.request_id,
    user_id: row.user_id,
    username: row.username,
    role: row.role,
    action: row.action,
    entity: row.entity,
    entity_key: row.entity_key,
    study_code: row.study_code,
    site_codes: [...row.site_codes],
    participant_code: row.participant_code,
    before: row.before,
    after: row.after,
    reason: row.reason,
    replaced_bundle_sha256: row.replaced_bundle_sha256,
  };
  return canonicalJson(content);
}

/** SHA-256 of the previous entry's hash (32 bytes) followed by the UTF-8 of the entry's canonical content. */
export function chainHash(previous: Uint8Array, canonicalContent: string): Buffer {
  return createHash('sha256').update(previous).update(canonicalContent, 'utf8').digest();
}

/** Hex SHA-256 of some bytes (a replaced study's gzip). */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A stored entry as the checker reads it: its chained content and the hash stored with it. */
export interface StoredChainEntry extends AuditChainContent {
  chain_hash: Uint8Array;
}

/** A chain's head as stored: its last entry's id and hash. */
export interface StoredChainHead {
  chain: string;
  last_audit_id: string | null;
  last_hash: Uint8Array | null;
}

/** Where a chain first fails to hold. */
export interface ChainBreak {
  /** The study's code, or null for the chain of changes outside any study. */
  studyCode: string | null;
  auditId: string;
  /** The entry's time, when the entry is there to give it. */
  occurredAt: string | null;
  why: string;
}

export interface ChainVerdict {
  /** Entries whose hash was recomputed and matched. */
  rowsVerified: number;
  chains: Array<{ studyCode: string | null; rows: number; lastAuditId: string | null; lastHash: string | null }>;
  /** The first break of each broken chain, in the order of their entries' ids. */
  breaks: ChainBreak[];
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const studyOf = (chain: string): string | null => (chain === '' ? null : chain);

/**
 * Recomputes chains from stored entries fed in ascending id order, then checks each chain's end
 * against its stored head (which catches entries removed from the end).
 */
export class AuditChainChecker {
  private readonly last = new Map<string, { auditId: string; hash: Uint8Array; rows: number }>();
  private readonly broken = new Map<string, ChainBreak>();
  private previousId: bigint | null = null;
  private verified = 0;

  add(entry: StoredChainEntry): void {
    const chain = chainOf(entry.study_code);
    const id = BigInt(entry.audit_id);
    if (this.previousId !== null && id <= this.previousId) throw new Error(`audit entries must be checked in ascending id order (${entry.audit_id} after ${this.previousId})`);
    this.previousId = id;
    if (this.broken.has(chain)) return;
    const before = this.last.get(chain);
    let expected: Buffer;
    try {
      expected = chainHash(before?.hash ?? GENESIS_HASH, canonicalAuditContent(entry));
    } catch (error) {
      this.fail(chain, entry.audit_id, entry.occurred_at, `its content cannot be read (${(error as Error).message})`);
      return;
    }
    if (!sameBytes(expected, entry.chain_hash)) {
      this.fail(chain, entry.audit_id, entry.occurred_at, 'its stored hash does not match its content and the entry before it: it, or an entry before it, was changed or removed');
      return;
    }
    this.last.set(chain, { auditId: entry.audit_id, hash: entry.chain_hash, rows: (before?.rows ?? 0) + 1 });
    this.verified++;
  }

  /** The verdict, given the heads of the chains checked (every chain's head, or one study's). */
  finish(heads: readonly StoredChainHead[]): ChainVerdict {
    const headOf = new Map(heads.map((head) => [head.chain, head]));
    for (const [chain, end] of this.last) {
      if (this.broken.has(chain)) continue;
      const head = headOf.get(chain);
      if (!head || head.last_audit_id !== end.auditId || !head.last_hash || !sameBytes(head.last_hash, end.hash)) {
        const named = head?.last_audit_id ? `its head names entry ${head.last_audit_id}` : 'it has no head';
        this.fail(chain, end.auditId, null, `the chain ends at this entry but ${named}: entries were removed from its end, or its head was changed`);
      }
    }
    for (const head of heads) {
      if (this.last.has(head.chain) || this.broken.has(head.chain) || head.last_audit_id === null) continue;
      this.fail(head.chain, head.last_audit_id, null, 'its head names this entry but the chain has no entries: they were removed');
    }
    const breaks = [...this.broken.values()].sort((a, b) => (BigInt(a.auditId) < BigInt(b.auditId) ? -1 : 1));
    const chains = [...new Set([...this.last.keys(), ...heads.map((head) => head.chain)])].sort().map((chain) => {
      const end = this.last.get(chain);
      return {
        studyCode: studyOf(chain),
        rows: end?.rows ?? 0,
        lastAuditId: end?.auditId ?? null,
        lastHash: end ? Buffer.from(end.hash).toString('hex') : null,
      };
    });
    return { rowsVerified: this.verified, chains, breaks };
  }

  private fail(chain: string, auditId: string, occurredAt: string | null, why: string): void {
    if (!this.broken.has(chain)) this.broken.set(chain, { studyCode: studyOf(chain), auditId, occurredAt, why });
  }
}

/** A break in words: which entry, when, of which study, and why. */
export function describeBreak(brk: ChainBreak): string {
  const where = brk.studyCode === null ? 'changes outside any study' : `study ${brk.studyCode}`;
  return `the audit trail of ${where} breaks at entry ${brk.auditId}${brk.occurredAt ? ` (${brk.occurredAt})` : ''}: ${brk.why}`;
}
