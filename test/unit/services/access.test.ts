// Who reaches what: each role's scope in a study, the 404 / 403 refusals and their wording, and
// the checks made before a write's body is read. No database: the two look-ups of a write to one
// participant are answered by a canned database (test/unit/services/fixtures/canned-db.ts).
import os from 'node:os';
import { expect } from 'chai';
import { AppError } from '../../../api/errors.ts';
import {
  commandLineActor,
  commandLineChange,
  ownUserId,
  participantNotFound,
  reachesSite,
  requireAdmin,
  requireImportRole,
  requireOwnTokenRole,
  requirePermission,
  requireSite,
  requireSiteInBody,
  requireStudyScope,
  requireStudyWrite,
  studyNotFound,
  studyScope,
  visibleStudyCodes,
  type Actor,
  type Role,
} from '../../../api/services/access.ts';
import { cannedDb } from './fixtures/canned-db.ts';

const actor = (role: Role, grants: Actor['grants'] = [], userId: number | null = 5): Actor => ({ userId, username: `u-${role}`, role, grants });
const clinicLon = actor('clinic', [
  { studyCode: 'S1', siteCode: 'LON' },
  { studyCode: 'S1', siteCode: 'MAN' },
  { studyCode: 'S2', siteCode: 'PAR' },
]);

/** The AppError `work` throws (synchronously or not), or a failure when it throws none. */
async function refusal(work: () => unknown): Promise<AppError> {
  try {
    await work();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected a refusal, but none came');
}

describe('access', () => {
  describe('the command line', () => {
    it('acts as an administrator without an account, named after the OS user', () => {
      expect(commandLineActor()).to.deep.equal({ userId: null, username: `cli:${os.userInfo().username}`, role: 'admin', grants: [] });
    });

    it('is named cli:unknown when the OS user has no name', () => {
      const userInfo = os.userInfo;
      os.userInfo = () => {
        throw new Error('no passwd entry');
      };
      try {
        expect(commandLineActor().username).to.equal('cli:unknown');
      } finally {
        os.userInfo = userInfo;
      }
    });

    it('changes with no reason and no request unless given a reason', () => {
      expect(commandLineChange()).to.deep.equal({ actor: commandLineActor(), reason: null, requestId: null });
      expect(commandLineChange('typo').reason).to.equal('typo');
    });
  });

  describe('studyScope', () => {
    it('gives an administrator every right in every study, granted or not', () => {
      expect(studyScope(actor('admin'), 'S9')).to.deep.equal({
        studyCode: 'S9', identified: true, writeParticipants: true, writeStudy: true, readAudit: true, sites: 'all',
      });
    });

    it('gives a researcher every right in a granted study only', () => {
      const researcher = actor('researcher', [{ studyCode: 'S1', siteCode: null }]);
      expect(studyScope(researcher, 'S1')).to.deep.equal({
        studyCode: 'S1', identified: true, writeParticipants: true, writeStudy: true, readAudit: true, sites: 'all',
      });
      expect(studyScope(researcher, 'S2')).to.equal(null);
    });

    it("limits a clinic to its own sites of that study, without writing the study", () => {
      const scope = studyScope(clinicLon, 'S1')!;
      expect({ ...scope, sites: [...(scope.sites as Set<string>)] }).to.deep.equal({
        studyCode: 'S1', identified: true, writeParticipants: true, writeStudy: false, readAudit: true, sites: ['LON', 'MAN'],
      });
      expect(studyScope(clinicLon, 'S3')).to.equal(null);
    });

    it('gives a clinic with a whole-study grant every site', () => {
      const clinic = actor('clinic', [{ studyCode: 'S1', siteCode: 'LON' }, { studyCode: 'S1', siteCode: null }]);
      expect(studyScope(clinic, 'S1')!.sites).to.equal('all');
    });

    it('gives a reviewer a de-identified, read-only view of every site, without the audit trail', () => {
      expect(studyScope(actor('reviewer', [{ studyCode: 'S1', siteCode: null }]), 'S1')).to.deep.equal({
        studyCode: 'S1', identified: false, writeParticipants: false, writeStudy: false, readAudit: false, sites: 'all',
      });
    });

    it('refuses a role it does not know', () => {
      expect(() => studyScope(actor('guest' as Role, [{ studyCode: 'S1', siteCode: null }]), 'S1')).to.throw(Error, 'unknown role guest');
    });
  });

  it('lists the studies an actor may see', () => {
    expect(visibleStudyCodes(actor('admin'))).to.equal('all');
    expect([...(visibleStudyCodes(clinicLon) as Set<string>)]).to.deep.equal(['S1', 'S2']);
  });

  it('answers 404 for a study outside the scope, and the scope for one inside', async () => {
    expect(studyNotFound('S7')).to.include({ kind: 'not_found', message: 'study S7 does not exist' });
    const error = await refusal(() => requireStudyScope(clinicLon, 'S7'));
    expect(error).to.include({ kind: 'not_found', message: 'study S7 does not exist' });
    expect(requireStudyScope(clinicLon, 'S2').studyCode).to.equal('S2');
  });

  it('refuses (403) what the scope does not allow, in the words given, and passes what it allows', async () => {
    const reviewer = requireStudyScope(actor('reviewer', [{ studyCode: 'S1', siteCode: null }]), 'S1');
    for (const what of ['writeParticipants', 'writeStudy', 'readAudit'] as const) {
      const error = await refusal(() => requirePermission(reviewer, what, 'do this'));
      expect(error).to.include({ kind: 'forbidden', message: 'your role may not do this in study S1' });
    }
    const clinic = requireStudyScope(clinicLon, 'S1');
    expect(() => requirePermission(clinic, 'writeParticipants', 'x')).not.to.throw();
    expect(() => requirePermission(clinic, 'readAudit', 'x')).not.to.throw();
    expect((await refusal(() => requirePermission(clinic, 'writeStudy', 'x'))).kind).to.equal('forbidden');
  });

  it('reaches a site when the scope has every site or names it', () => {
    const clinic = requireStudyScope(clinicLon, 'S1');
    expect(reachesSite(clinic, 'LON')).to.equal(true);
    expect(reachesSite(clinic, 'PAR')).to.equal(false);
    expect(reachesSite(requireStudyScope(actor('admin'), 'S1'), 'PAR')).to.equal(true);
  });

  it('lets only an administrator do what only an administrator may', async () => {
    expect(() => requireAdmin(actor('admin'), 'x')).not.to.throw();
    for (const role of ['researcher', 'clinic', 'reviewer'] as const) {
      const error = await refusal(() => requireAdmin(actor(role), 'add users'));
      expect(error).to.include({ kind: 'forbidden', message: 'only an administrator may add users' });
    }
  });

  it("gives the caller's own account, and refuses the command line, which has none", async () => {
    expect(ownUserId(actor('clinic', [], 42))).to.equal(42);
    const error = await refusal(() => ownUserId(commandLineActor()));
    expect(error).to.include({ kind: 'forbidden', message: 'the command line has no account of its own; use smp user' });
  });

  it('lets administrators and researchers create tokens of their own, signed in with a password only', async () => {
    expect(() => requireOwnTokenRole(actor('admin'), 'session')).not.to.throw();
    expect(() => requireOwnTokenRole(actor('researcher'), 'session')).not.to.throw();
    expect((await refusal(() => requireOwnTokenRole(commandLineActor(), 'session'))).message).to.match(/^the command line has no account/);
    for (const role of ['clinic', 'reviewer'] as const) {
      const error = await refusal(() => requireOwnTokenRole(actor(role), 'session'));
      expect(error).to.include({ kind: 'forbidden', message: `a ${role} user's API tokens are issued by an administrator; ask one for a token` });
    }
    const error = await refusal(() => requireOwnTokenRole(actor('researcher'), 'token'));
    expect(error).to.include({ kind: 'forbidden', message: 'an API token cannot create tokens: sign in with your password to create one' });
  });

  it('lets only administrators and researchers import', async () => {
    expect(() => requireImportRole(actor('admin'))).not.to.throw();
    expect(() => requireImportRole(actor('researcher'))).not.to.throw();
    for (const role of ['clinic', 'reviewer'] as const) {
      const error = await refusal(() => requireImportRole(actor(role)));
      expect(error).to.include({ kind: 'forbidden', message: 'your role may not import studies: only administrators and researchers do' });
    }
  });

  it('refuses (403) enrolling or moving a participant at a site outside the caller’s, naming the field', async () => {
    const clinic = requireStudyScope(clinicLon, 'S1');
    expect(() => requireSite(clinic, 'MAN')).not.to.throw();
    const error = await refusal(() => requireSite(clinic, 'PAR'));
    expect(error.kind).to.equal('forbidden');
    expect(error.message).to.equal('you may enrol and move participants only at your own sites (LON, MAN)');
    expect(error.problems).to.deep.equal([{ path: 'site', message: 'is not one of your sites' }]);
  });

  describe('requireSiteInBody', () => {
    const clinic = actor('clinic', [{ studyCode: 'S1', siteCode: 'LON' }]);
    it('refuses a body whose site is not one of the caller’s', async () => {
      expect((await refusal(() => requireSiteInBody(clinic, 'S1', { site: 'MAN' }))).message).to.match(/only at your own sites \(LON\)$/);
      expect(() => requireSiteInBody(clinic, 'S1', { site: 'LON' })).not.to.throw();
    });

    it('leaves a body without a text site to its validation', () => {
      for (const body of [null, 'MAN', ['MAN'], { site: 7 }, {}]) {
        expect(() => requireSiteInBody(clinic, 'S1', body), JSON.stringify(body)).not.to.throw();
      }
    });

    it('answers 404 for a study outside the scope', async () => {
      expect((await refusal(() => requireSiteInBody(clinic, 'S2', { site: 'LON' }))).kind).to.equal('not_found');
    });
  });

  it('names a participant that does not exist for the caller', () => {
    expect(participantNotFound('P09')).to.include({ kind: 'not_found', message: 'participant P09 does not exist in this study' });
  });

  describe('requireStudyWrite', () => {
    const db = cannedDb({
      studies: [{ study_id: 1, code: 'S1' }],
      participants: [
        { study_id: 1, code: 'P01', site_code: 'LON' },
        { study_id: 1, code: 'P02', site_code: 'PAR' },
      ],
    });
    const clinic = actor('clinic', [{ studyCode: 'S1', siteCode: 'LON' }, { studyCode: 'S2', siteCode: 'LON' }]);

    it('checks the study (404) before the right (403)', async () => {
      expect((await refusal(() => requireStudyWrite(db, clinic, 'writeStudy', 'edit', 'S9', undefined))).kind).to.equal('not_found');
      const error = await refusal(() => requireStudyWrite(db, clinic, 'writeStudy', 'change the study', 'S1', undefined));
      expect(error).to.include({ kind: 'forbidden', message: 'your role may not change the study in study S1' });
    });

    it("lets a clinic write to its own sites' participants and to no other's, which do not exist for it", async () => {
      await requireStudyWrite(db, clinic, 'writeParticipants', 'x', 'S1', 'P01');
      for (const code of ['P02', 'P03']) {
        const error = await refusal(() => requireStudyWrite(db, clinic, 'writeParticipants', 'x', 'S1', code));
        expect(error, code).to.include({ kind: 'not_found', message: `participant ${code} does not exist in this study` });
      }
      // A study in the grants that the database no longer holds.
      const error = await refusal(() => requireStudyWrite(db, clinic, 'writeParticipants', 'x', 'S2', 'P01'));
      expect(error).to.include({ kind: 'not_found', message: 'study S2 does not exist' });
    });

    it('looks nothing up for a caller of every site, or without a participant', async () => {
      const researcher = actor('researcher', [{ studyCode: 'S1', siteCode: null }]);
      const before = db.queries.length;
      await requireStudyWrite(db, researcher, 'writeParticipants', 'x', 'S1', 'P02');
      await requireStudyWrite(db, researcher, 'writeStudy', 'x', 'S1', 'P02');
      await requireStudyWrite(db, clinic, 'writeParticipants', 'x', 'S1', undefined);
      expect(db.queries.length).to.equal(before);
    });
  });
});
