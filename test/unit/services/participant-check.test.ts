// The write path's check of a participant as it will be after a change: the importer's own rules,
// with the sites and practitioners its records name looked up when not already known, and each
// problem's path as the caller reads it (in the body, or in the participant). The look-ups are
// answered by a canned database (fixtures/canned-db.ts).
import { expect } from 'chai';
import { AppError } from '../../../api/errors.ts';
import type { Participant } from '../../../api/schemas/bundle.ts';
import { checkParticipant, contextOf, keyChange, type CheckContext, type Focus } from '../../../api/services/participant-check.ts';
import type { Loaded } from '../../../api/services/participant-views.ts';
import type { StudyRow } from '../../../db/repositories/study-repository.ts';
import { smallBundle } from '../../support/bundles.ts';
import { cannedDb } from './fixtures/canned-db.ts';

const study = {
  study_id: 3,
  code: 'TEST-1',
  title: 'Small test cohort',
  initial_sessions: 3,
  session_interval_days: 7,
  interval_tolerance_days: 3,
  touch_up_after_days: 30,
  touch_up_tolerance_days: 7,
  follow_up_from_months: 7,
  follow_up_to_months: 32,
  visits: null,
} as unknown as StudyRow;

const db = () =>
  cannedDb({
    practitioners: [{ study_id: 3, code: 'PR-B', site_no: 2, site_code: 'MAN', site_name: 'Manchester clinic', years_experience: 0.5, practitioner_no: 2 }],
    sites: [
      { study_id: 3, code: 'MAN', name: 'Manchester clinic', site_no: 2 },
      { study_id: 3, code: 'EDI', name: 'Edinburgh clinic', site_no: 3 },
    ],
  });

/** P01 of the small bundle: at LON, every session by PR-A (LON), one adverse event. */
const p01 = (): Participant => structuredClone(smallBundle().participants[0]) as Participant;
const context = (): CheckContext => ({
  study,
  practitioners: new Map([['PR-A', { code: 'PR-A', site: 'LON', yearsExperience: 6, practitionerNo: 1 }]]),
  sites: new Map([['LON', { code: 'LON', name: 'London clinic', siteNo: 1 }]]),
});

async function refusal(work: () => Promise<unknown>): Promise<AppError> {
  try {
    await work();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal, but none came');
}

describe('the check of a participant before a write', () => {
  it('passes a valid participant whose sites and practitioners are known, without looking anything up', async () => {
    const canned = db();
    const checked = await checkParticipant(canned.kysely, context(), p01(), { kind: 'participant' }, 'participant');
    expect(checked.participant.code).to.equal('P01');
    expect(checked.participant.sessions).to.have.length(4);
    expect(checked.siteNo('LON')).to.equal(1);
    expect(checked.practitionerNo('PR-A')).to.equal(1);
    expect(canned.queries).to.deep.equal([]);
  });

  it("looks up a practitioner it does not know, with the practitioner's site", async () => {
    const canned = db();
    const participant = p01();
    participant.sessions[3]!.practitioner = 'PR-B';
    const ctx = context();
    const checked = await checkParticipant(canned.kysely, ctx, participant, { kind: 'participant' }, 'participant');
    expect(checked.practitionerNo('PR-B')).to.equal(2);
    expect(checked.siteNo('MAN')).to.equal(2);
    expect(ctx.practitioners.get('PR-B')).to.deep.equal({ code: 'PR-B', site: 'MAN', yearsExperience: 0.5, practitionerNo: 2 });
    // MAN came with its practitioner: only the practitioner was looked up.
    expect(canned.queries).to.have.length(1);
  });

  it("keeps a site it knows when a practitioner looked up works there", async () => {
    const canned = db();
    const participant = p01();
    participant.sessions[3]!.practitioner = 'PR-B';
    const ctx = context();
    ctx.sites.set('MAN', { code: 'MAN', name: 'Manchester (known)', siteNo: 8 });
    expect((await checkParticipant(canned.kysely, ctx, participant, { kind: 'participant' }, 'participant')).siteNo('MAN')).to.equal(8);
  });

  it("looks up the site of a practitioner it already knew, which the participant's records need", async () => {
    // The loaded participant named PR-E (at EDI), but only the participant's own site is known.
    const canned = db();
    const participant = p01();
    participant.sessions[3]!.practitioner = 'PR-E';
    const ctx = context();
    ctx.practitioners.set('PR-E', { code: 'PR-E', site: 'EDI', yearsExperience: 2, practitionerNo: 5 });
    const checked = await checkParticipant(canned.kysely, ctx, participant, { kind: 'participant' }, 'participant');
    expect(checked.siteNo('EDI')).to.equal(3);
    expect(checked.practitionerNo('PR-E')).to.equal(5);
  });

  it('looks up a site it does not know, and keeps a known one', async () => {
    const canned = db();
    const participant = p01();
    participant.site = 'EDI';
    const ctx = context();
    ctx.sites.set('EDI', { code: 'EDI', name: 'Edinburgh (known)', siteNo: 9 });
    expect((await checkParticipant(canned.kysely, ctx, participant, { kind: 'participant' }, 'participant')).siteNo('EDI')).to.equal(9);
    expect(canned.queries).to.deep.equal([]);
    const fresh = context();
    expect((await checkParticipant(canned.kysely, fresh, participant, { kind: 'participant' }, 'participant')).siteNo('EDI')).to.equal(3);
    expect([...fresh.sites.keys()]).to.deep.equal(['LON', 'EDI']);
    expect(canned.queries).to.have.length(1);
  });

  it('refuses, with the importer’s words, a participant naming a practitioner or site that does not exist', async () => {
    const participant = p01();
    participant.sessions[0]!.practitioner = 'PR-Z';
    participant.site = 'NOWHERE';
    const error = await refusal(() => checkParticipant(db().kysely, context(), participant, { kind: 'participant' }, 'participant'));
    expect(error.kind).to.equal('validation');
    expect(error.message).to.equal('the participant has 2 problems');
    // In the bundle's path order, as an import lists them.
    expect(error.problems).to.deep.equal([
      { path: 'sessions[0].practitioner', message: 'practitioner "PR-Z" is not defined in practitioners' },
      { path: 'site', message: 'site "NOWHERE" is not defined in sites' },
    ]);
  });

  describe('the paths of its problems', () => {
    const problemsAt = async (participant: Participant, focus: Focus, what = 'session') => {
      const error = await refusal(() => checkParticipant(db().kysely, context(), participant, focus, what));
      return { message: error.message, paths: error.problems.map((p) => p.path) };
    };

    it('names a field of the record being written by its name, and the record itself as the body', async () => {
      const participant = p01();
      participant.sessions[1]!.practitioner = 'PR-Z';
      expect(await problemsAt(participant, { kind: 'record', list: 'sessions', index: 1 })).to.deep.equal({
        message: 'the session has 1 problem',
        paths: ['practitioner'],
      });
      (participant.sessions as unknown[])[1] = 'not a session';
      expect((await problemsAt(participant, { kind: 'record', list: 'sessions', index: 1 })).paths).to.deep.equal(['(body)']);
    });

    it("names another record's field within the participant", async () => {
      const participant = p01();
      participant.sessions[1]!.practitioner = 'PR-Z';
      // sessions[1] is not sessions[11], nor is it an adverse event's list.
      for (const focus of [
        { kind: 'record', list: 'sessions', index: 11 },
        { kind: 'record', list: 'adverseEvents', index: 1 },
        { kind: 'elsewhere' },
      ] as const) {
        expect((await problemsAt(participant, focus)).paths, JSON.stringify(focus)).to.deep.equal(['participant.sessions[1].practitioner']);
      }
    });

    it('names a field of the participant written by its name, and the participant itself as the body', async () => {
      const participant = { ...p01(), nickname: 'Al' } as Participant;
      expect(await problemsAt(participant, { kind: 'participant' }, 'participant')).to.deep.equal({
        message: 'the participant has 1 problem',
        paths: ['nickname'],
      });
      // Not an object at all (a list that happens to have an empty sessions list).
      const notAnObject = Object.assign([], { sessions: [] }) as unknown as Participant;
      expect((await problemsAt(notAnObject, { kind: 'participant' }, 'participant')).paths).to.deep.equal(['(body)']);
    });
  });

  it('builds the context of a loaded participant: its site, the practitioners it names and their sites', () => {
    const practitioners = new Map([
      ['PR-A', { code: 'PR-A', site: 'LON', yearsExperience: 6, practitionerNo: 1 }],
      ['PR-M', { code: 'PR-M', site: 'MAN', yearsExperience: 3, practitionerNo: 4 }],
    ]);
    const practitionerSites = new Map([
      ['LON', { code: 'LON', name: 'London clinic', siteNo: 1 }],
      ['MAN', { code: 'MAN', name: 'Manchester clinic', siteNo: 2 }],
    ]);
    const loaded = { study, row: { site_code: 'LON', site_name: 'London clinic', site_no: 1 }, practitioners, practitionerSites } as unknown as Loaded;
    const ctx = contextOf(loaded);
    expect(ctx.study).to.equal(study);
    // The participant's own site first, then the other sites its practitioners work at: none is looked up again.
    expect([...ctx.sites.values()]).to.deep.equal([
      { code: 'LON', name: 'London clinic', siteNo: 1 },
      { code: 'MAN', name: 'Manchester clinic', siteNo: 2 },
    ]);
    expect([...ctx.practitioners.values()]).to.deep.equal([...practitioners.values()]);
    // A copy: looking up more practitioners and sites for one check leaves the loaded participant's as they were.
    ctx.practitioners.set('PR-B', { code: 'PR-B', site: 'BRI', yearsExperience: 1, practitionerNo: 2 });
    ctx.sites.set('BRI', { code: 'BRI', name: 'Bristol clinic', siteNo: 3 });
    expect(practitioners.size).to.equal(2);
    expect(practitionerSites.size).to.equal(2);
  });

  it("refuses a change of a record's key, naming the field and its value", () => {
    const error = keyChange('code', 'P01');
    expect(error).to.include({ kind: 'validation', message: "code is the record's key and cannot be changed" });
    expect(error.problems).to.deep.equal([{ path: 'code', message: `is the record's key and cannot be changed (it is "P01")` }]);
    expect(keyChange('number', 2).problems[0]!.message).to.equal("is the record's key and cannot be changed (it is 2)");
  });
});
