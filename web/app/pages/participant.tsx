// One participant: their fields (with Edit), a timeline of their records against the protocol's
// visit windows, the lists of their sessions, adverse events, fading assessments and surveys
// (each with Add, Edit and Delete for those who may change records), and their history from the
// audit trail. Reviewers see the de-identified view (pseudonyms, shifted dates) and no controls;
// a clinic reaches only its sites' participants (others are not found). Printed (print CSS in
// web/style.css), the page is the participant's casebook: every record and the whole history,
// without navigation, buttons or forms.
import { useMemo, useState } from 'preact/hooks';
import { AdverseEvent, FadingAssessment, SatisfactionSurvey, TreatmentSession } from '../../../api/schemas/bundle.ts';
import {
  ParticipantFields,
  SessionCreate,
  type AdverseEventRecord,
  type FadingAssessmentRecord,
  type ParticipantRecord,
  type PractitionerRecord,
  type SessionRecord,
  type SiteRecord,
  type StudyRecord,
  type SurveyRecord,
} from '../../../api/schemas/records.ts';
import { useResource, type Page } from '../api.ts';
import { usePageTitle } from '../components/page-title.ts';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { fieldsOf, optionLabel } from '../forms/fields.ts';
import type { Choice } from '../forms/record-form.tsx';
import { displayValue, EditRecord } from '../participant/editing.tsx';
import { History } from '../participant/history.tsx';
import { RecordSection, type SectionSpec } from '../participant/record-section.tsx';
import { ContactDetails } from '../participant/contact.tsx';
import { SignOffSection } from '../participant/sign-off.tsx';
import { SurveyLinks } from '../participant/survey-links.tsx';
import { ParticipantBadge, ParticipantReview, RecordBadges, useReview } from '../review/participant-review.tsx';
import { Timeline } from '../participant/timeline.tsx';
import { Link, pathOf } from '../router.tsx';
import { canEdit, useMe, type Me } from '../session.ts';
import { siteChoices, todayIso } from '../participant/defaults.ts';

const PARTICIPANT_FIELDS = fieldsOf(ParticipantFields);

const SESSIONS: SectionSpec<SessionRecord> = {
  segment: 'sessions',
  title: 'Sessions',
  noun: 'session',
  createSchema: SessionCreate,
  editSchema: TreatmentSession,
  readOnlyOnEdit: ['number'],
  renumbers: true,
  keyOf: (s) => s.number,
  columns: [
    { label: 'Number', value: (s) => s.number, number: true },
    { label: 'Kind', value: (s) => optionLabel(s.kind) },
    { label: 'Date', value: (s) => s.date, date: true },
    { label: 'Minutes', value: (s) => s.durationMinutes, number: true },
    { label: 'Practitioner', value: (s) => s.practitioner },
    { label: 'Pigment lot', value: (s) => s.pigmentLot },
    { label: 'Anaesthesia', value: (s) => s.anesthesia },
  ],
};

const ADVERSE_EVENTS: SectionSpec<AdverseEventRecord> = {
  segment: 'adverse-events',
  title: 'Adverse events',
  noun: 'adverse event',
  createSchema: AdverseEvent,
  editSchema: AdverseEvent,
  keyOf: (e) => e.no,
  rowClass: (e) => (e.serious ? 'flag-serious' : e.resolvedDate === null ? 'flag-unresolved' : undefined),
  columns: [
    { label: 'No.', value: (e) => e.no, number: true },
    { label: 'Category', value: (e) => optionLabel(e.category) },
    { label: 'Term', value: (e) => e.term },
    { label: 'Onset', value: (e) => e.onsetDate, date: true },
    {
      label: 'Resolved',
      value: (e) => e.resolvedDate ?? <span class="badge unresolved">unresolved</span>,
      date: true,
    },
    {
      label: 'Grade',
      value: (e) => (
        <>
          {e.grade}
          {e.serious ? <span class="badge serious"> serious</span> : null}
        </>
      ),
    },
    { label: 'Relatedness', value: (e) => optionLabel(e.relatedness) },
    { label: 'Outcome', value: (e) => optionLabel(e.outcome) },
    { label: 'After session', value: (e) => e.sessionNumber ?? '—' },
  ],
};

const FADING: SectionSpec<FadingAssessmentRecord> = {
  segment: 'fading-assessments',
  title: 'Fading assessments',
  noun: 'fading assessment',
  createSchema: FadingAssessment,
  editSchema: FadingAssessment,
  keyOf: (a) => a.no,
  columns: [
    { label: 'No.', value: (a) => a.no, number: true },
    { label: 'Date', value: (a) => a.date, date: true },
    { label: 'Grade', value: (a) => a.grade, number: true },
    { label: 'Density', value: (a) => a.densityScore ?? '—', number: true },
    { label: 'Needs a touch-up', value: (a) => displayValue(a.needsTouchUp) },
    { label: 'Assessor', value: (a) => a.assessor },
  ],
};

const SURVEYS: SectionSpec<SurveyRecord> = {
  segment: 'surveys',
  title: 'Satisfaction surveys',
  noun: 'survey',
  createSchema: SatisfactionSurvey,
  editSchema: SatisfactionSurvey,
  keyOf: (s) => s.no,
  columns: [
    { label: 'No.', value: (s) => s.no, number: true },
    { label: 'Date', value: (s) => s.date, date: true },
    { label: 'Satisfaction (1–5)', value: (s) => s.satisfaction, number: true },
    { label: 'Would recommend', value: (s) => displayValue(s.wouldRecommend) },
  ],
};

function NotFound({ code, participant, me }: { code: string; participant: string; me: Me }) {
  usePageTitle('Participant not found');
  return (
    <main id="main">
      <h1>Participant not found</h1>
      <p role="alert">
        There is no participant <strong>{participant}</strong> in study {code}
        {me.role === 'clinic' ? ' at your sites' : ''}.
      </p>
      <p>
        <Link href={pathOf('studies', code, 'participants')}>Back to the participants</Link>
      </p>
    </main>
  );
}

function Details({ record }: { record: ParticipantRecord }) {
  return (
    <dl class="details" id="participant-details">
      {PARTICIPANT_FIELDS.map((f) => (
        <div key={f.name}>
          <dt>{f.label}</dt>
          <dd>{displayValue(record[f.name as keyof ParticipantRecord], f)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ParticipantPage(props: { code?: string; participant?: string; url?: URL }) {
  const code = props.code!;
  const participant = props.participant!;
  const me = useMe();
  const editable = canEdit(me);
  usePageTitle(`Participant ${participant}`);
  const study = `/api/studies/${encodeURIComponent(code)}`;
  const base = `${study}/participants/${encodeURIComponent(participant)}`;

  const studyRecord = useResource<StudyRecord>(study);
  const record = useResource<ParticipantRecord>(base);
  // The lists wait for the participant: one clear "not found", not five.
  const found = record.data !== undefined && record.data.code === participant;
  const sessions = useResource<Page<SessionRecord>>(found ? `${base}/sessions?limit=1000` : null);
  const adverseEvents = useResource<Page<AdverseEventRecord>>(found ? `${base}/adverse-events?limit=1000` : null);
  const fading = useResource<Page<FadingAssessmentRecord>>(found ? `${base}/fading-assessments?limit=1000` : null);
  const surveys = useResource<Page<SurveyRecord>>(found ? `${base}/surveys?limit=1000` : null);
  const review = useReview(study, participant, found);
  const practitioners = useResource<Page<PractitionerRecord>>(editable ? `${study}/practitioners?limit=1000` : null);
  const sites = useResource<Page<SiteRecord>>(editable ? `${study}/sites?limit=1000` : null);
  const [refresh, setRefresh] = useState(0);
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState('');
  // "Print the casebook": the whole history is read first, then the browser's print dialog opens.
  const [casebook, setCasebook] = useState(0);
  const [printing, setPrinting] = useState(false);
  const printCasebook = () => {
    if (me.role === 'reviewer') return window.print();
    setPrinting(true);
    setCasebook((n) => n + 1);
  };

  const reloadAll = () => {
    record.reload();
    sessions.reload();
    adverseEvents.reload();
    fading.reload();
    surveys.reload();
    review.queries.reload();
    review.verification.reload();
    setRefresh((r) => r + 1);
  };

  const p = found ? record.data! : undefined;
  const sessionItems = sessions.data?.items;
  const today = todayIso();

  const choices = useMemo(() => {
    const all = practitioners.data?.items ?? [];
    const ordered = p ? [...all.filter((x) => x.site === p.site), ...all.filter((x) => x.site !== p.site)] : all;
    return {
      practitioner: ordered.map((x) => ({ value: x.code, label: `${x.code} (${x.site})` })),
      sessionNumber: (sessionItems ?? []).map((s) => ({ value: String(s.number), label: `Session ${s.number} (${optionLabel(s.kind)}, ${s.date})` })),
      site: siteChoices(me, code, sites.data?.items),
    } satisfies Record<string, Choice[]>;
  }, [practitioners.data, sessionItems, sites.data, p?.site]);

  if (record.error?.status === 404) return <NotFound code={code} participant={participant} me={me} />;
  if (record.error) {
    return (
      <main id="main">
        <h1>Participant {participant}</h1>
        <ErrorBox error={record.error} title="The participant could not be read." />
      </main>
    );
  }
  if (!p || !studyRecord.data) {
    return (
      <main id="main">
        <h1>Participant {participant}</h1>
        <ErrorBox error={studyRecord.error} title="The study could not be read." />
        {studyRecord.error ? null : <Loading what="Reading the participant" />}
      </main>
    );
  }

  const protocol = studyRecord.data.protocol;
  // An Add form opens only on records read after the last change: its defaults (the next session
  // number, the usual practitioner, the last session) come from them.
  const loaded = (resource: { data?: unknown; loading: boolean }) => resource.data !== undefined && !resource.loading;
  const sessionsLoaded = loaded(sessions);
  const sessionsReady = sessionsLoaded && loaded(practitioners) && !record.loading;
  const last = sessionItems?.at(-1);
  const initialHeld = (sessionItems ?? []).filter((s) => s.kind === 'initial').length;
  const usualPractitioner = last?.practitioner ?? practitioners.data?.items.find((x) => x.site === p.site)?.code;
  const sessionDefaults = {
    number: (last?.number ?? 0) + 1,
    kind: initialHeld < protocol.initialSessions ? 'initial' : 'touch_up',
    date: today,
    practitioner: usualPractitioner,
    pigmentLot: last?.pigmentLot,
    anesthesia: last?.anesthesia,
  };
  const sectionProps = {
    editable,
    studyCode: code,
    participant,
    basePath: base,
    choices,
    onChanged: reloadAll,
  };

  return (
    <main id="main" class="participant-page">
      <p class="breadcrumb">
        <Link href={pathOf('studies', code, 'participants')}>Participants</Link> › {p.code}
      </p>
      <h1>
        Participant {p.code}
        <ParticipantBadge review={review} />
      </h1>
      <p class="print-only casebook-title">
        Casebook of participant {p.code}, study {code}: {studyRecord.data.title}
      </p>
      <p class="actions casebook-print">
        <button type="button" onClick={printCasebook} disabled={printing} aria-busy={printing ? 'true' : undefined}>
          Print the casebook
        </button>
        <span class="hint">every record and the whole history, without the page's controls; choose “Save as PDF” to keep a file</span>
      </p>
      {me.role === 'reviewer' ? (
        <p class="notice">
          De-identified view: the code is a pseudonym, every date is shifted by a fixed number of days for this participant, and free text is removed.
        </p>
      ) : null}
      <section aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <Details record={p} />
        <p class="hint">
          Site {p.site}; {p.counts.sessions} sessions, {p.counts.adverseEvents} adverse events, {p.counts.fadingAssessments} fading assessments,{' '}
          {p.counts.surveys} surveys. Version {p.version}.
        </p>
        <div aria-live="polite" class="status-line">
          {saved && !editing ? <p class="ok">{saved}</p> : null}
        </div>
        {editable && !editing ? (
          <p>
            <button
              type="button"
              onClick={() => {
                setSaved('');
                setEditing(true);
              }}
            >
              Edit<span class="visually-hidden"> participant {p.code}</span>
            </button>
          </p>
        ) : null}
        {editable && editing ? (
          <EditRecord
            id="edit-participant"
            what={`participant ${p.code}`}
            schema={ParticipantFields}
            readOnly={['code']}
            record={p}
            choices={{ site: choices.site }}
            path={base}
            studyCode={code}
            participant={participant}
            auditKey={participant}
            onSaved={() => {
              setEditing(false);
              setSaved(`Participant ${p.code} saved.`);
              reloadAll();
            }}
            onStale={reloadAll}
            onClose={(reload) => {
              setEditing(false);
              if (reload) reloadAll();
            }}
          />
        ) : null}
      </section>

      {sessionItems && adverseEvents.data && fading.data && surveys.data ? (
        <Timeline
          participant={p.code}
          protocol={protocol}
          enrolledOn={p.enrolledOn}
          withdrawnOn={p.withdrawnOn}
          sessions={sessionItems}
          adverseEvents={adverseEvents.data.items}
          fadingAssessments={fading.data.items}
          surveys={surveys.data.items}
          today={today}
        />
      ) : (
        <Loading what="Reading the participant's records" />
      )}
      <ErrorBox error={sessions.error ?? adverseEvents.error ?? fading.error ?? surveys.error} title="Some records could not be read." />

      <RecordSection
        spec={SESSIONS}
        items={sessionItems}
        defaults={sessionDefaults}
        ready={sessionsReady}
        badges={(no) => <RecordBadges review={review} list="sessions" no={no} />}
        {...sectionProps}
      />
      <RecordSection
        spec={ADVERSE_EVENTS}
        items={adverseEvents.data?.items}
        defaults={{ onsetDate: today, sessionNumber: last?.number ?? null, serious: false, solicited: false }}
        ready={sessionsLoaded && loaded(adverseEvents)}
        badges={(no) => <RecordBadges review={review} list="adverseEvents" no={no} />}
        {...sectionProps}
      />
      <RecordSection
        spec={FADING}
        items={fading.data?.items}
        defaults={{ date: today, assessor: 'clinician' }}
        ready={loaded(fading)}
        badges={(no) => <RecordBadges review={review} list="fadingAssessments" no={no} />}
        {...sectionProps}
      />
      <RecordSection
        spec={SURVEYS}
        items={surveys.data?.items}
        defaults={{ date: today }}
        ready={loaded(surveys)}
        badges={(no) => <RecordBadges review={review} list="surveys" no={no} />}
        {...sectionProps}
      />
      <ParticipantReview
        me={me}
        studyCode={code}
        studyPath={study}
        participant={participant}
        review={review}
        counts={p.counts}
        onChanged={reloadAll}
      />
      {editable && p && <SurveyLinks base={base} visits={studyRecord.data?.protocol.visits ?? []} withdrawn={p.withdrawnOn !== null} />}
      {p && (me.role === 'admin' || me.role === 'clinic') && <ContactDetails base={base} />}
      {p && me.role !== 'reviewer' && <SignOffSection base={base} role={me.role} refresh={refresh} onChanged={reloadAll} />}

      {me.role === 'reviewer' ? (
        <section aria-labelledby="history-heading">
          <h2 id="history-heading">History</h2>
          <p>The audit trail is not shown in the de-identified view.</p>
        </section>
      ) : (
        <History
          studyCode={code}
          participant={participant}
          refresh={refresh}
          complete={casebook}
          onComplete={() => {
            setPrinting(false);
            window.print();
          }}
        />
      )}
    </main>
  );
}
