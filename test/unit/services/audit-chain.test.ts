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
  type StoredChainEntry,
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
    const check = (entries: StoredChainEntry[], heads = headsOf(trail())) => {
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
