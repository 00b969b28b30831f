// The web application's words for the API's terms: every form field's label and hint, every
// problem message a form can show, and the one way a moment is written, checked against sentences
// written out by hand.
import { expect } from 'chai';
import { AdverseEvent, FadingAssessment, Participant, Practitioner, Protocol, SatisfactionSurvey, Site, Study, TreatmentSession } from '../../../api/schemas/bundle.ts';
import { TokenCreate } from '../../../api/schemas/users.ts';
import { ScheduledVisit } from '../../../api/schemas/visit-schedule.ts';
import { check, fieldsOf, valuesOf } from '../../../web/app/forms/fields.ts';
import { fieldPathLabel, isPlain, pathLabel, plainMessage } from '../../../web/app/forms/plain-words.ts';
import { formatMoment } from '../../../web/app/components/moment.ts';

/** The study form's fields as the set-up page flattens them: the title, the protocol and its follow-up window. */
const StudyForm = Study.pick({ code: true, title: true })
  .extend(Protocol.omit({ followUpMonths: true, visits: true }).shape)
  .extend(Protocol.shape.followUpMonths.shape);

/** The new-study form of the studies page: the study, its protocol and its first site. */
const NewStudyForm = Study.omit({ protocol: true })
  .extend(Protocol.omit({ followUpMonths: true, visits: true }).shape)
  .extend(Protocol.shape.followUpMonths.shape)
  .extend({ siteCode: Site.shape.code, siteName: Site.shape.name, siteCountry: Site.shape.country });

const FORMS = {
  Participant,
  TreatmentSession,
  AdverseEvent,
  FadingAssessment,
  SatisfactionSurvey,
  StudyForm,
  NewStudyForm,
  Site,
  Practitioner,
  ScheduledVisit: ScheduledVisit.omit({ expects: true }),
  TokenCreate,
};

describe('web: plain words', () => {
  describe('labels and hints of the data-entry forms', () => {
    for (const [name, schema] of Object.entries(FORMS)) {
      it(`${name}: no label or hint shows a field key, a code or null, and no hint repeats its label`, () => {
        for (const field of fieldsOf(schema)) {
          expect(isPlain(field.label), `${name}.${field.name} label "${field.label}"`).to.equal(true);
          if (field.description === undefined) continue;
          expect(isPlain(field.description), `${name}.${field.name} hint "${field.description}"`).to.equal(true);
          expect(field.description.toLowerCase(), `${name}.${field.name}`).to.not.equal(field.label.toLowerCase());
        }
      });
    }

    it('says what the schema said, in the page’s words', () => {
      const participant = Object.fromEntries(fieldsOf(Participant).map((f) => [f.name, f]));
      expect(participant.withdrawalCause!.description).to.equal('Required when "Withdrawn on" is given');
      expect(participant.keloidHistory!.label).to.equal('History of keloid scarring');
      expect(participant.keloidHistory!.description, 'the label once, not again as its hint').to.equal(undefined);
      const event = Object.fromEntries(fieldsOf(AdverseEvent).map((f) => [f.name, f]));
      expect(event.resolvedDate!.description).to.equal('Leave empty while the event is unresolved');
      const session = Object.fromEntries(fieldsOf(TreatmentSession).map((f) => [f.name, f]));
      expect(session.kind!.description, '"initial or touch_up" is the list itself').to.equal(undefined);
      expect(session.anesthesia!.label).to.equal('Anaesthesia');
      expect(session.anesthesia!.description).to.equal(undefined);
      const protocol = Object.fromEntries(fieldsOf(StudyForm).map((f) => [f.name, f]));
      expect(Object.fromEntries(fieldsOf(TokenCreate).map((f) => [f.name, f.description]))).to.deep.equal({
        expiresInDays: 'Days until the token expires (1–3,650); empty: it does not expire',
      });
      expect(protocol.intervalToleranceDays!.description).to.equal('How many days a session may come early or late and still be on schedule');
    });

    it('spells anaesthesia one way in every label and hint', () => {
      const words = Object.values(FORMS).flatMap((schema) => fieldsOf(schema).flatMap((f) => [f.label, f.description ?? '']));
      expect(words.filter((w) => /anesthe/i.test(w))).to.deep.equal([]);
      expect(words.filter((w) => /anaesthe/i.test(w))).to.deep.equal(['Anaesthesia']);
    });
  });

  describe('problem messages', () => {
    it('an empty required choice is "is required", not the list of codes', () => {
      expect(plainMessage('must be one of androgenetic_alopecia, alopecia_areata, scar_camouflage (got "")')).to.equal('is required');
      expect(plainMessage('must be one of initial, touch_up (got null)')).to.equal('is required');
      expect(plainMessage('must be one of initial, touch_up (got "later")')).to.equal('must be one of the choices in the list');
    });

    it('the schema’s own check of an empty select, as the form shows it', () => {
      const fields = fieldsOf(Participant);
      const problems = check(Participant, valuesOf(fields, { indication: '' }));
      const indication = problems.find((p) => p.path === 'indication');
      expect(indication, 'a problem at the indication').to.not.equal(undefined);
      expect(plainMessage(indication!.message)).to.equal('is required');
    });

    it('field keys become labels, codes become words and null becomes empty', () => {
      expect(plainMessage('is required when withdrawnOn is given')).to.equal('is required when "Withdrawn on" is given');
      expect(plainMessage('must be empty while touchUpAfterDays is null')).to.equal('must be empty while "Touch-up after (days)" is empty');
      expect(plainMessage('a touch_up session needs an initial one before it')).to.equal('a touch up session needs an initial one before it');
      expect(plainMessage('must be a whole number (got null)')).to.equal('must be a whole number (got nothing)');
      expect(plainMessage("33 is outside the protocol's follow-up window, followUpMonths 7 to 32")).to.equal("33 is outside the protocol's follow-up window, 7 to 32 months");
      expect(plainMessage('must list at least one kind of record: fadingAssessment, survey')).to.equal('must expect at least one kind of record: a fading assessment or a survey');
      expect(plainMessage('visit code "FU6" is already used by visits[0]')).to.equal('visit code "FU6" is already used by another visit');
      expect(plainMessage('its window (days 170 to 200) overlaps the window of visits[1] "FU6" (days 180 to 190); windows must not overlap')).to.equal(
        'its window (days 170 to 200) overlaps the window of visit "FU6" (days 180 to 190); windows must not overlap',
      );
      expect(plainMessage('must be at least 1 (got 0)')).to.equal('must be at least 1 (got 0)');
    });

    it('a problem’s path reads as the label of its field', () => {
      expect(pathLabel('body.withdrawalCause')).to.equal('Withdrawal cause');
      expect(pathLabel('withdrawnOn')).to.equal('Withdrawn on');
      expect(pathLabel('participants[3].sessions[1].durationMinutes')).to.equal('Duration (minutes)');
      expect(pathLabel('(header) X-Change-Reason')).to.equal('Reason for the change');
      expect(pathLabel('protocol.sessionIntervalDays')).to.equal('Days between initial sessions');
      expect(pathLabel('(document)')).to.equal('The form');
    });

    it('an audit entry’s field path reads in labels', () => {
      expect(fieldPathLabel('costUsd')).to.equal('Cost (US dollars)');
      expect(fieldPathLabel('protocol.sessionIntervalDays')).to.equal('Protocol: Days between initial sessions');
      expect(fieldPathLabel('revokedAt')).to.equal('Revoked at');
    });
  });

  describe('moments', () => {
    it('writes every moment as the day and the minute in UTC', () => {
      expect(formatMoment('2026-12-06T14:05:09.123Z')).to.equal('2026-12-06 14:05 UTC');
      expect(formatMoment('2026-12-06T23:59:59Z')).to.equal('2026-12-06 23:59 UTC');
      // An offset is converted, not cut off: 01:30 at +02:00 is 23:30 UTC the day before.
      expect(formatMoment('2026-01-01T01:30:00+02:00')).to.equal('2025-12-31 23:30 UTC');
      expect(formatMoment('not a time')).to.equal('not a time');
    });
  });
});
