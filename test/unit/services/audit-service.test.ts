// The audit-writing part of the write path (the row a change records) and the audit trail as its
// readers see it: pages with a cursor, a clinic limited to its sites and shown no whole-study
// counts. The list's rows come from a canned database (fixtures/canned-db.ts): the filters are
// SQL, checked here only by the parameters the query was given.
import { expect } from 'chai';
import { AppError } from '../../../api/errors.ts';
import type { AuditQuery } from '../../../api/schemas/audit.ts';
import type { Actor } from '../../../api/services/access.ts';
import { auditPage, auditRowOf, listAuditEntries } from '../../../api/services/audit-service.ts';
import { encodeCursor } from '../../../api/services/cursor.ts';
import { cannedDb } from './fixtures/canned-db.ts';

const clinic: Actor = { userId: 4, username: 'lon', role: 'clinic', grants: [{ studyCode: 'S1', siteCode: 'LON' }] };
const researcher: Actor = { userId: 2, username: 'res', role: 'researcher', grants: [{ studyCode: 'S1', siteCode: null }] };

/** A stored entry as the audit list's query gives it back. */
const row = (id: string, fields: Record<string, unknown> = {}) => ({
  audit_id: id,
  occurred_at: `2026-12-0${id}T09:00:00.000Z`,
  request_id: `req-${id}`,
  username: 'res',
  role: 'researcher',
  action: 'update',
  entity: 'participant',
  entity_key: 'P01',
  participant_code: 'P01',
  site_codes: ['LON'],
  before: { sex: 'male' },
  after: { sex: 'female' },
  reason: 'typo',
  has_bundle: false,
  ...fields,
});

describe('the audit trail', () => {
  describe('auditRowOf', () => {
    it("records who changed what, where and why, the sites once each and in order", () => {
      const context = { actor: clinic, reason: 'typo', requestId: 'req-9' };
      const change = {
        action: 'update' as const,
        entity: 'session' as const,
        key: 'P01/sessions/2',
        studyCode: 'S1',
        siteCodes: ['MAN', 'LON', 'MAN'],
        participantCode: 'P01',
        before: { durationMinutes: 90 },
        after: { durationMinutes: 95 },
      };
      expect(auditRowOf(context, change)).to.deep.equal({
        request_id: 'req-9',
        user_id: 4,
        username: 'lon',
        role: 'clinic',
        action: 'update',
        entity: 'session',
        entity_key: 'P01/sessions/2',
        study_code: 'S1',
        site_codes: ['LON', 'MAN'],
        participant_code: 'P01',
        before: { durationMinutes: 90 },
        after: { durationMinutes: 95 },
        reason: 'typo',
        replaced_bundle: null,
      });
    });

    it('records no sites, participant, before or after as empty and null', () => {
      const recorded = auditRowOf(
        { actor: researcher, reason: null, requestId: null },
        { action: 'create', entity: 'study', key: 'S1', studyCode: 'S1', before: undefined, after: undefined },
      );
      expect(recorded).to.include({ request_id: null, participant_code: null, before: null, after: null, reason: null, replaced_bundle: null });
      expect(recorded.site_codes).to.deep.equal([]);
    });
  });

  describe('auditPage', () => {
    it('gives a page of entries and a cursor to the next when there is one more row', () => {
      const page = auditPage([row('3'), row('2', { before: null, after: undefined, has_bundle: true }), row('1')] as never, 2);
      expect(page.nextCursor).to.equal(encodeCursor(['2']));
      expect(page.items).to.deep.equal([
        {
          id: '3',
          at: '2026-12-03T09:00:00.000Z',
          requestId: 'req-3',
          user: { username: 'res', role: 'researcher' },
          action: 'update',
          entity: 'participant',
          key: 'P01',
          participant: 'P01',
          sites: ['LON'],
          before: { sex: 'male' },
          after: { sex: 'female' },
          reason: 'typo',
          bundleAvailable: false,
        },
        {
          id: '2',
          at: '2026-12-02T09:00:00.000Z',
          requestId: 'req-2',
          user: { username: 'res', role: 'researcher' },
          action: 'update',
          entity: 'participant',
          key: 'P01',
          participant: 'P01',
          sites: ['LON'],
          before: null,
          after: null,
          reason: 'typo',
          bundleAvailable: true,
        },
      ]);
    });

    it('takes the cursor from the last entry of the page', () => {
      expect(auditPage([row('4'), row('3'), row('2'), row('1')] as never, 3).nextCursor).to.equal(encodeCursor(['2']));
    });

    it('gives no cursor on the last page, full or not', () => {
      expect(auditPage([row('2'), row('1')] as never, 2).nextCursor).to.equal(null);
      expect(auditPage([] as never, 2)).to.deep.equal({ items: [], nextCursor: null });
    });
  });

  describe('listAuditEntries', () => {
    const query = (fields: Partial<AuditQuery> = {}) => ({ limit: 2, ...fields }) as AuditQuery;
    // A study's import records whole-study counts by site; a clinic sees its own sites' only.
    const imported = row('5', {
      entity: 'study',
      action: 'import',
      entity_key: 'S1',
      participant_code: null,
      site_codes: ['LON', 'MAN'],
      before: null,
      after: { title: 'Study one', countsBySite: { LON: { participants: 7 }, MAN: { participants: 1 } } },
    });
    const replaced = row('4', {
      entity: 'study',
      action: 'replace',
      before: { title: 'Old', countsBySite: { MAN: { participants: 1 } } },
      after: 'not an object',
    });

    it("shows a clinic the import and replace entries with its own sites' counts only", async () => {
      const db = cannedDb({ auditEvents: [imported, replaced, row('3')] });
      const { items, nextCursor } = await listAuditEntries(db, clinic, 'S1', query());
      expect(items.map((item) => [item.before, item.after])).to.deep.equal([
        [null, { title: 'Study one', countsBySite: { LON: { participants: 7 } } }],
        [{ title: 'Old' }, 'not an object'],
      ]);
      expect(nextCursor).to.equal(encodeCursor(['4']));
      // The clinic's sites go to the query; the page asks one row more than it shows.
      expect(db.asked).to.have.length(1);
      expect(db.asked[0]!.sql).to.include('site_codes &&');
      expect(db.asked[0]!.parameters).to.deep.include(['LON']);
      expect(db.asked[0]!.parameters).to.include(3);
    });

    it('leaves every other entry a clinic sees as it is, study entries other than import and replace too', async () => {
      const renamed = row('6', { entity: 'study', action: 'update', after: { title: 'New', countsBySite: { MAN: 1 } } });
      const created = row('7', { entity: 'participant', action: 'import', after: { countsBySite: { MAN: 1 } } });
      const db = cannedDb({ auditEvents: [created, renamed] });
      const { items } = await listAuditEntries(db, clinic, 'S1', query());
      expect(items.map((item) => item.after)).to.deep.equal([{ countsBySite: { MAN: 1 } }, { title: 'New', countsBySite: { MAN: 1 } }]);
    });

    it('shows a researcher every entry whole, with no site filter, from the cursor on', async () => {
      const db = cannedDb({ auditEvents: [imported] });
      const { items } = await listAuditEntries(db, researcher, 'S1', query({ cursor: encodeCursor(['9']) }));
      expect(items[0]!.after).to.deep.equal(imported.after);
      expect(db.asked[0]!.sql).to.not.include('site_codes &&');
      expect(db.asked[0]!.sql).to.include('"audit_id" < $');
      expect(db.asked[0]!.parameters).to.include('9');
      // Without a cursor, from the newest entry.
      const first = cannedDb({ auditEvents: [imported] });
      await listAuditEntries(first, researcher, 'S1', query());
      expect(first.asked[0]!.sql).to.not.include('"audit_id" <');
    });

    it('refuses a reviewer (403) and a study outside the scope (404), before any query', async () => {
      const db = cannedDb({ auditEvents: [imported] });
      const reviewer: Actor = { userId: 3, username: 'rev', role: 'reviewer', grants: [{ studyCode: 'S1', siteCode: null }] };
      for (const [actor, study, kind] of [
        [reviewer, 'S1', 'forbidden'],
        [clinic, 'S2', 'not_found'],
      ] as const) {
        let error: unknown;
        try {
          await listAuditEntries(db, actor, study, query());
        } catch (caught) {
          error = caught;
        }
        expect(error).to.be.instanceOf(AppError);
        expect((error as AppError).kind).to.equal(kind);
        if (kind === 'forbidden') expect((error as AppError).message).to.equal('your role may not read the audit trail in study S1');
      }
      expect(db.asked).to.deep.equal([]);
    });
  });
});
