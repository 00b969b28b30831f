// The audit hash chain's definitions checked against values known elsewhere: canonical JSON
// against the examples of RFC 8785, the chain hash against `sha256sum` of the same bytes, and the
// checker's verdicts on a chain built by hand; and the reading of COPY text as PostgreSQL writes it.
import { expect } from 'chai';
import {
  AuditChainChecker,
  canonicalAuditContent,
  canonicalJson,
  chainHash,
  describeBreak,
  GENESIS_HASH,
  sha256Hex,
  type StoredChainEntry,
  type StoredChainHead,
} from '../../../api/services/audit-chain.ts';
import { chainTime, copyFieldValue, textArrayElements } from '../../../api/services/audit-chain-archive.ts';

// A canonical content written out by hand, and its hashes computed with coreutils:
//   (head -c 32 /dev/zero; printf '%s' "$CONTENT") | sha256sum
//   (printf '%s' "$FIRST" | xxd -r -p; printf '%s' '{"x":1}') | sha256sum
const CONTENT =
  '{"action":"update","after":{"costUsd":1500,"note":"é"},"audit_id":"7","before":{"costUsd":1234.5},"entity":"participant",' +
  '"entity_key":"A1","occurred_at":"2026-12-06T09:22:05.123456Z","participant_code":"A1","reason":"Invoice",' +
  '"replaced_bundle_sha256":null,"request_id":"r-1","role":"researcher","site_codes":["LON","MAN"],"study_code":"AUD-1","user_id":3,"username":"rita"}';
const FIRST = 'a09b1ec5e5d0987f5f7b2d68f10e2a08adb390fb9619737b2c7081915c0b09e2';
const SECOND = '7a1a1a7af0dc902506461ba59b89f11ab799f7a216c462eb1503ca04fcf4bcd9';

const entry = (overrides: Partial<StoredChainEntry> = {}): Omit<StoredChainEntry, 'chain_hash'> => ({
  audit_id: '7',
  occurred_at: '2026-12-06T09:22:05.123456Z',
  request_id: 'r-1',
  user_id: 3,
  username: 'rita',
  role: 'researcher',
  action: 'update',
  entity: 'participant',
  entity_key: 'A1',
  study_code: 'AUD-1',
  site_codes: ['LON', 'MAN'],
  participant_code: 'A1',
  // Members in another order than the canonical one: the content must not depend on it.
  before: { costUsd: 1234.5 },
  after: { note: 'é', costUsd: 1500 },
  reason: 'Invoice',
  replaced_bundle_sha256: null,
  ...overrides,
});

/** A chain of entries built with the definitions, as a writer stores it. */
function chained(entries: Array<Omit<StoredChainEntry, 'chain_hash'>>): StoredChainEntry[] {
  const last = new Map<string, Uint8Array>();
  return entries.map((e) => {
    const chain = e.study_code ?? '';
    const chain_hash = chainHash(last.get(chain) ?? GENESIS_HASH, canonicalAuditContent(e));
    last.set(chain, chain_hash);
    return { ...e, chain_hash };
  });
}

describe('audit hash chain', () => {
  describe('canonicalJson (RFC 8785)', () => {
    it('writes the example of RFC 8785 section 3.2.2 as the RFC does', () => {
      const input = JSON.parse(
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
          ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
      );
      expect(canonicalJson(input)).to.equal(
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
      );
    });

    it('sorts members by UTF-16 code units as in RFC 8785 section 3.2.3', () => {
      const input = JSON.parse(
        '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
          ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
      );
      // The names in the order of the text (a parsed object would put "1" first, being integer-like).
      const order = [...canonicalJson(input).matchAll(/"([^"]*)":"/g)].map((m) => m[1]);
      expect(order).to.deep.equal(['\\r', '1', '\u0080', 'ö', '€', '😀', '\ufb33']);
    });

    it('leaves out members whose value is undefined, as JSON.stringify does', () => {
      expect(canonicalJson({ b: 1, a: undefined, c: [null] })).to.equal('{"b":1,"c":[null]}');
    });

    it('refuses values JSON cannot hold', () => {
      expect(() => canonicalJson(Number.NaN)).to.throw('canonical JSON cannot hold the number NaN');
      expect(() => canonicalJson([undefined])).to.throw('canonical JSON cannot hold a value of type undefined');
    });
  });

  it("gives an entry's canonical content and hash as written out by hand and computed by sha256sum", () => {
    expect(canonicalAuditContent(entry())).to.equal(CONTENT);
    const first = chainHash(GENESIS_HASH, CONTENT);
    expect(first.toString('hex')).to.equal(FIRST);
    expect(chainHash(first, '{"x":1}').toString('hex')).to.equal(SECOND);
  });

  it("names a replaced study by the SHA-256 of its bytes, as sha256sum gives it", () => {
    // printf abc | sha256sum (FIPS 180-2's first example)
    expect(sha256Hex(Buffer.from('abc'))).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  describe('AuditChainChecker', () => {
    const trail = () =>
      chained([
        entry({ audit_id: '1', study_code: 'S1' }),
        entry({ audit_id: '2', study_code: 'S2' }),
        entry({ audit_id: '3', study_code: null, entity: 'user' }),
        entry({ audit_id: '4', study_code: 'S1', reason: 'Second' }),
        entry({ audit_id: '5', study_code: 'S1', reason: 'Third' }),
      ]);
    const headsOf = (entries: StoredChainEntry[]) => {
      const heads = new Map<string, { chain: string; last_audit_id: string; last_hash: Uint8Array }>();
      for (const e of entries) heads.set(e.study_code ?? '', { chain: e.study_code ?? '', last_audit_id: e.audit_id, last_hash: e.chain_hash });
      return [...heads.values()];
    };
    const check = (entries: StoredChainEntry[], heads: StoredChainHead[] = headsOf(trail())) => {
      const checker = new AuditChainChecker();
      for (const e of entries) checker.add(e);
      return checker.finish(heads);
    };

    it('holds for an intact trail, one chain per study and one outside any study', () => {
      const verdict = check(trail());
      expect(verdict.breaks).to.deep.equal([]);
      expect(verdict.rowsVerified).to.equal(5);
      expect(verdict.chains.map((c) => [c.studyCode, c.rows, c.lastAuditId])).to.deep.equal([
        [null, 1, '3'],
        ['S1', 3, '5'],
        ['S2', 1, '2'],
      ]);
    });

    it('names the first entry of a chain whose content changed, and leaves the other chains whole', () => {
      const edited = trail().map((e) => (e.audit_id === '4' ? { ...e, reason: 'Rewritten' } : e));
      const verdict = check(edited);
      expect(verdict.breaks).to.have.length(1);
      expect(verdict.breaks[0]).to.include({ studyCode: 'S1', auditId: '4', occurredAt: '2026-12-06T09:22:05.123456Z' });
      expect(describeBreak(verdict.breaks[0]!)).to.match(/^the audit trail of study S1 breaks at entry 4 \(2026-12-06T09:22:05\.123456Z\): its stored hash/);
      expect(describeBreak({ studyCode: null, auditId: '9', occurredAt: null, why: 'it was removed' })).to.equal(
        'the audit trail of changes outside any study breaks at entry 9: it was removed',
      );
      expect(verdict.rowsVerified).to.equal(3);
    });

    it('names the entry after one removed from the middle, and the end of a chain cut short', () => {
      expect(check(trail().filter((e) => e.audit_id !== '4')).breaks.map((b) => [b.studyCode, b.auditId])).to.deep.equal([['S1', '5']]);
      const cut = check(trail().filter((e) => e.audit_id !== '5')).breaks;
      expect(cut.map((b) => [b.studyCode, b.auditId])).to.deep.equal([['S1', '4']]);
      expect(cut[0]!.why).to.contain('its head names entry 5');
      const emptied = check(trail().filter((e) => e.study_code !== 'S2')).breaks;
      expect(emptied.map((b) => [b.studyCode, b.auditId])).to.deep.equal([['S2', '2']]);
    });

    it('refuses entries out of ascending id order, or the same id twice', () => {
      const [first, second] = trail();
      const checker = new AuditChainChecker();
      checker.add(second!);
      expect(() => checker.add(first!)).to.throw('audit entries must be checked in ascending id order (1 after 2)');
      expect(() => checker.add(second!)).to.throw('audit entries must be checked in ascending id order (2 after 2)');
    });

    it('counts nothing after a break as verified, even entries that chain onto the last good one', () => {
      // A row forged between entries 1 and 4 of S1: 4 and 5 still chain onto 1, but the chain broke at the forgery.
      const entries = trail();
      const forged = { ...entry({ audit_id: '3', study_code: 'S1', reason: 'Forged' }), chain_hash: Buffer.alloc(32, 1) };
      const withForgery = [entries[0]!, entries[1]!, forged, entries[3]!, entries[4]!];
      const verdict = check(withForgery, headsOf(trail()).filter((head) => head.chain !== ''));
      expect(verdict.breaks.map((b) => [b.studyCode, b.auditId])).to.deep.equal([['S1', '3']]);
      expect(verdict.rowsVerified).to.equal(2);
      expect(verdict.chains.find((c) => c.studyCode === 'S1')).to.include({ rows: 1, lastAuditId: '1' });
    });

    it("names an entry whose content cannot be read, and why", () => {
      const entries = trail();
      entries[3] = { ...entries[3]!, before: { costUsd: Number.NaN } };
      const [brk] = check(entries).breaks;
      expect(brk).to.deep.equal({
        studyCode: 'S1',
        auditId: '4',
        occurredAt: '2026-12-06T09:22:05.123456Z',
        why: 'its content cannot be read (canonical JSON cannot hold the number NaN)',
      });
    });

    it("checks each chain's end against its head: missing, naming another entry, or holding another hash", () => {
      const entries = trail();
      const heads = headsOf(entries);
      const ofS1 = heads.findIndex((h) => h.chain === 'S1');
      const bent = (head: unknown) => heads.map((h, i) => (i === ofS1 ? head : h)).filter((h) => h !== undefined) as typeof heads;
      const brokenS1 = (verdict: ReturnType<typeof check>) => verdict.breaks.map((b) => [b.studyCode, b.auditId, b.occurredAt, b.why]);
      const ends = (named: string) => [['S1', '5', null, `the chain ends at this entry but ${named}: entries were removed from its end, or its head was changed`]];
      expect(brokenS1(check(entries, bent(undefined)))).to.deep.equal(ends('it has no head'));
      expect(brokenS1(check(entries, bent({ ...heads[ofS1]!, last_audit_id: '4' })))).to.deep.equal(ends('its head names entry 4'));
      expect(brokenS1(check(entries, bent({ ...heads[ofS1]!, last_hash: Buffer.alloc(32, 9) })))).to.deep.equal(ends('its head names entry 5'));
      expect(brokenS1(check(entries, bent({ ...heads[ofS1]!, last_hash: null })))).to.deep.equal(ends('its head names entry 5'));
    });

    it('accepts an empty chain whose head names no entry, and says why a head naming one is broken', () => {
      const entries = trail();
      const empty = { chain: 'S3', last_audit_id: null, last_hash: null };
      const verdict = check(entries, [...headsOf(entries), empty]);
      expect(verdict.breaks).to.deep.equal([]);
      expect(verdict.chains.find((c) => c.studyCode === 'S3')).to.deep.equal({ studyCode: 'S3', rows: 0, lastAuditId: null, lastHash: null });
      const emptied = check(entries.filter((e) => e.study_code !== 'S2')).breaks;
      expect(emptied[0]!.why).to.equal('its head names this entry but the chain has no entries: they were removed');
    });

    it('lists the breaks in the order of their entries, whichever was found first', () => {
      const s2Late = trail().map((e) => (e.audit_id === '5' ? { ...e, reason: 'Rewritten' } : e));
      const s2Cut = s2Late.filter((e) => e.study_code !== 'S2');
      // S1 breaks at 5 while the entries are read; S2 (its one entry removed) only at the end,
      // against its head: listed 2, then 5.
      expect(check(s2Cut).breaks.map((b) => b.auditId)).to.deep.equal(['2', '5']);
    });

    it('notices an entry moved to another study', () => {
      const moved = trail().map((e) => (e.audit_id === '4' ? { ...e, study_code: 'S2' } : e));
      expect(check(moved).breaks.map((b) => [b.studyCode, b.auditId])).to.deep.equal([
        ['S2', '4'],
        ['S1', '5'],
      ]);
    });
  });

  describe('COPY text as a backup holds it', () => {
    it('undoes the escapes of the text format', () => {
      expect(copyFieldValue('\\N')).to.equal(null);
      expect(copyFieldValue('a\\tb\\nc\\\\d\\re')).to.equal('a\tb\nc\\d\re');
      expect(copyFieldValue('\\\\x0aff')).to.equal('\\x0aff');
      expect(copyFieldValue('\\101\\x42')).to.equal('AB');
    });

    it('reads one-dimensional text arrays, quoted or not', () => {
      expect(textArrayElements('{}')).to.deep.equal([]);
      expect(textArrayElements('{LON,MAN}')).to.deep.equal(['LON', 'MAN']);
      expect(textArrayElements('{"a b","c\\"d",e}')).to.deep.equal(['a b', 'c"d', 'e']);
      expect(() => textArrayElements('LON')).to.throw('"LON" is not an array');
    });

    it('reads a UTC time with PostgreSQL’s trailing zeros dropped, to the microsecond', () => {
      expect(chainTime('2026-12-06 09:22:05.1234+00')).to.equal('2026-12-06T09:22:05.123400Z');
      expect(chainTime('2026-12-06 09:22:05+00')).to.equal('2026-12-06T09:22:05.000000Z');
      expect(() => chainTime('2026-12-06 10:22:05+01')).to.throw('is not in UTC');
    });
  });
});
