// A participant's timeline: sessions, adverse events, fading assessments and surveys on one time
// axis, with the protocol's expected visit windows and the sessions outside them marked. Drawn
// as SVG elements by Preact (data only ever becomes text nodes and attribute values). Every mark
// is named for assistive technology, the deviations are listed in words under the drawing, and
// the whole timeline is also given as a table.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Protocol } from '../../../api/schemas/bundle.ts';
import type { AdverseEventRecord, FadingAssessmentRecord, SessionRecord, SurveyRecord } from '../../../api/schemas/records.ts';
import { OKABE_ITO } from '../../../analysis/charts/palette.ts';
import { optionLabel } from '../forms/fields.ts';
import { dateOf, dayOf, protocolView, type ProtocolView, type VisitWindow } from './timeline-model.ts';

export interface TimelineProps {
  participant: string;
  protocol: Protocol;
  enrolledOn: string;
  withdrawnOn: string | null;
  sessions: readonly SessionRecord[];
  adverseEvents: readonly AdverseEventRecord[];
  fadingAssessments: readonly FadingAssessmentRecord[];
  surveys: readonly SurveyRecord[];
  today: string;
}

/** One row of the timeline's table, and one mark of its drawing. */
interface TimelineEvent {
  date: string;
  lane: Lane;
  label: string;
  details: string;
}

type Lane = 'windows' | 'sessions' | 'adverseEvents' | 'fadingAssessments' | 'surveys';

const LANES: readonly { lane: Lane; label: string }[] = [
  { lane: 'windows', label: 'Visit windows' },
  { lane: 'sessions', label: 'Sessions' },
  { lane: 'adverseEvents', label: 'Adverse events' },
  { lane: 'fadingAssessments', label: 'Fading' },
  { lane: 'surveys', label: 'Surveys' },
];

const WIDTH = 960;
const LEFT = 120;
const RIGHT = 24;
const TOP = 12;
const LANE_HEIGHT = 46;
const AXIS_HEIGHT = 42;
const HEIGHT = TOP + LANES.length * LANE_HEIGHT + AXIS_HEIGHT;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const INK = '#1a1a1a';
const MUTED = '#4a4a4a';
const WINDOW_FILL: Record<VisitWindow['kind'], string> = {
  initial: '#56B4E940',
  touch_up: '#E69F0040',
  follow_up: '#009E7326',
  visit: '#CC79A733',
};
const WINDOW_STROKE: Record<VisitWindow['kind'], string> = {
  initial: OKABE_ITO.blue,
  touch_up: '#9a6700',
  follow_up: '#00674b',
  visit: '#8a3f6e',
};

const laneY = (lane: Lane) => TOP + LANES.findIndex((l) => l.lane === lane) * LANE_HEIGHT + LANE_HEIGHT / 2;

function sessionText(s: SessionRecord, view: ProtocolView): string {
  const status = view.sessionStatus.get(s.number);
  const where = status === 'outside-window' ? ', outside its protocol window' : status === 'in-window' ? ', within its protocol window' : '';
  return `Session ${s.number}, ${optionLabel(s.kind)}, ${s.date}${where}`;
}

const adverseEventText = (e: AdverseEventRecord) =>
  `Adverse event ${e.no}, ${optionLabel(e.category)}, grade ${e.grade}${e.serious ? ', serious' : ''}, onset ${e.onsetDate}`;
const assessmentText = (a: FadingAssessmentRecord) => `Fading assessment ${a.no}, grade ${a.grade}, ${a.date}`;
const surveyText = (s: SurveyRecord) => `Survey ${s.no}, satisfaction ${s.satisfaction} of 5, ${s.date}`;

function eventsOf(props: TimelineProps, view: ProtocolView): TimelineEvent[] {
  const events: TimelineEvent[] = [
    { date: props.enrolledOn, lane: 'windows', label: 'Enrolled', details: '' },
    ...(props.withdrawnOn ? [{ date: props.withdrawnOn, lane: 'windows' as const, label: 'Withdrawn', details: '' }] : []),
    ...props.sessions.map((s) => ({
      date: s.date,
      lane: 'sessions' as const,
      label: sessionText(s, view),
      details: `${s.durationMinutes} minutes, practitioner ${s.practitioner}, pigment lot ${s.pigmentLot}, ${s.anesthesia} anaesthesia`,
    })),
    ...props.adverseEvents.map((e) => ({
      date: e.onsetDate,
      lane: 'adverseEvents' as const,
      label: adverseEventText(e),
      details: `${e.term}; ${e.resolvedDate ? `resolved ${e.resolvedDate}` : 'unresolved'}; ${optionLabel(e.relatedness)}; ${optionLabel(e.outcome)}${
        e.sessionNumber !== null ? `; after session ${e.sessionNumber}` : ''
      }`,
    })),
    ...props.fadingAssessments.map((a) => ({
      date: a.date,
      lane: 'fadingAssessments' as const,
      label: assessmentText(a),
      details: `by ${a.assessor}${a.densityScore !== null ? `; density ${a.densityScore}` : ''}${
        a.needsTouchUp === null ? '' : a.needsTouchUp ? '; needs a touch-up' : '; no touch-up needed'
      }`,
    })),
    ...props.surveys.map((s) => ({
      date: s.date,
      lane: 'surveys' as const,
      label: surveyText(s),
      details: s.wouldRecommend === null ? 'recommendation not answered' : s.wouldRecommend ? 'would recommend' : 'would not recommend',
    })),
  ];
  return events.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Month ticks: every 1, 2, 3, 6 or 12 months, whichever gives at most about ten. */
function ticks(fromDay: number, toDay: number): { day: number; label: string }[] {
  const start = new Date(fromDay * 86_400_000);
  const months = (toDay - fromDay) / 30.4;
  if (months < 4) {
    // A short span: the 1st and the 15th of each month.
    const out: { day: number; label: string }[] = [];
    for (let y = start.getUTCFullYear(), m = start.getUTCMonth(); ; m++) {
      for (const d of [1, 15]) {
        const day = Math.round(Date.UTC(y, m, d) / 86_400_000);
        const date = new Date(day * 86_400_000);
        if (day > toDay) return out;
        if (day >= fromDay) out.push({ day, label: `${d} ${MONTHS[date.getUTCMonth()]}${d === 1 && date.getUTCMonth() === 0 ? ` ${date.getUTCFullYear()}` : ''}` });
      }
    }
  }
  const step = [1, 2, 3, 6, 12, 24].find((s) => months / s <= 10) ?? 60;
  const out: { day: number; label: string }[] = [];
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  if (month > 11) {
    month = 0;
    year++;
  }
  while (month % step !== 0 && step <= 12) month++;
  for (;;) {
    const y = year + Math.floor(month / 12);
    const m = month % 12;
    const day = Math.round(Date.UTC(y, m, 1) / 86_400_000);
    if (day > toDay) break;
    if (day >= fromDay) out.push({ day, label: step >= 12 ? String(y) : `${MONTHS[m]} ${y}` });
    month += step;
  }
  return out;
}

/**
 * Vertical offsets that keep marks of one lane apart when their dates crowd together: a mark
 * closer than `gap` pixels to the one before it moves alternately up and down.
 */
function spread(xs: readonly number[], gap = 20): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const offsets = new Array<number>(xs.length).fill(0);
  let run = 0;
  for (let k = 1; k < order.length; k++) {
    run = order[k]!.x - order[k - 1]!.x < gap ? run + 1 : 0;
    offsets[order[k]!.i] = run === 0 ? 0 : run % 2 === 1 ? -10 : 10;
  }
  return offsets;
}

function Marker({ x, y, label, children }: { x: number; y: number; label: string; children: ComponentChildren }) {
  return (
    <g role="img" aria-label={label} transform={`translate(${x.toFixed(1)} ${y})`}>
      <title>{label}</title>
      {children}
    </g>
  );
}

export function Timeline(props: TimelineProps) {
  const [span, setSpan] = useState<'all' | 'treatment'>('all');
  const view = protocolView(props.protocol, props.sessions, props.today, {
    assessments: props.fadingAssessments.map((a) => a.date),
    surveys: props.surveys.map((s) => s.date),
    withdrawnOn: props.withdrawnOn,
  });
  const events = eventsOf(props, view);

  const treatmentEnd = view.windows.filter((w) => w.kind !== 'follow_up' && w.kind !== 'visit').reduce((end, w) => (w.to > end ? w.to : end), '');
  const lastSession = props.sessions.reduce((end, s) => (s.date > end ? s.date : end), '');
  const days = [
    ...events.map((e) => dayOf(e.date)),
    ...props.adverseEvents.flatMap((e) => (e.resolvedDate ? [dayOf(e.resolvedDate)] : [])),
    ...view.windows.flatMap((w) => (span === 'treatment' && (w.kind === 'follow_up' || w.kind === 'visit') ? [] : [dayOf(w.from), dayOf(w.to)])),
  ].filter((day) => span === 'all' || day <= dayOf([treatmentEnd, lastSession, props.enrolledOn].sort().at(-1)!) + 14);
  const first = Math.min(...days);
  const last = Math.max(...days);
  const pad = Math.max(5, Math.round((last - first) * 0.03));
  const fromDay = first - pad;
  const toDay = Math.max(last + pad, fromDay + 30);
  const x = (day: number) => LEFT + ((day - fromDay) / (toDay - fromDay)) * (WIDTH - LEFT - RIGHT);
  const inView = (date: string) => dayOf(date) >= fromDay && dayOf(date) <= toDay;
  const shownSessions = props.sessions.filter((s) => inView(s.date));
  const shownEvents = props.adverseEvents.filter((e) => inView(e.onsetDate));
  const shownAssessments = props.fadingAssessments.filter((a) => inView(a.date));
  const shownSurveys = props.surveys.filter((s) => inView(s.date));
  const sessionDy = spread(shownSessions.map((s) => x(dayOf(s.date))));
  const eventDy = spread(shownEvents.map((e) => x(dayOf(e.onsetDate))));
  const assessmentDy = spread(shownAssessments.map((a) => x(dayOf(a.date))));
  const surveyDy = spread(shownSurveys.map((s) => x(dayOf(s.date))));
  const deviating = new Set(view.deviations.flatMap((d) => (d.sessionNumber === null ? [] : [d.sessionNumber])));
  const titleId = `timeline-title-${props.participant}`;
  const summary =
    `Timeline of participant ${props.participant} from ${dateOf(fromDay)} to ${dateOf(toDay)}: ` +
    `${props.sessions.length} sessions, ${props.adverseEvents.length} adverse events, ${props.fadingAssessments.length} fading assessments, ` +
    `${props.surveys.length} surveys, ${view.windows.length} protocol windows, ${view.deviations.length} deviations.`;

  return (
    <section aria-labelledby="timeline-heading" class="timeline-section">
      <h2 id="timeline-heading">Timeline</h2>
      <div class="actions" role="group" aria-label="Time span of the timeline">
        <button type="button" aria-pressed={span === 'all'} onClick={() => setSpan('all')}>
          Whole follow-up
        </button>
        <button type="button" aria-pressed={span === 'treatment'} onClick={() => setSpan('treatment')}>
          Treatment period
        </button>
      </div>
      <div class="timeline" tabIndex={0} role="region" aria-label="Timeline drawing (scrolls sideways on narrow screens)">
        <svg
          id="timeline"
          class="timeline-chart"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="group"
          aria-labelledby={titleId}
          aria-label={summary}
        >
          <title id={titleId}>{summary}</title>
          <g aria-hidden="true">
            {LANES.map((l, i) => (
              <g key={l.lane}>
                <rect x={0} y={TOP + i * LANE_HEIGHT} width={WIDTH} height={LANE_HEIGHT} fill={i % 2 === 0 ? '#f5f6f8' : '#ffffff'} />
                <text x={8} y={laneY(l.lane) + 5} font-size="13" fill={INK}>
                  {l.label}
                </text>
              </g>
            ))}
            {ticks(fromDay, toDay).map((t) => (
              <g key={t.day}>
                <line x1={x(t.day)} x2={x(t.day)} y1={TOP} y2={TOP + LANES.length * LANE_HEIGHT} stroke="#d0d0d0" />
                <text x={x(t.day)} y={TOP + LANES.length * LANE_HEIGHT + 18} font-size="12" text-anchor="middle" fill={MUTED}>
                  {t.label}
                </text>
              </g>
            ))}
            <line x1={LEFT} x2={WIDTH - RIGHT} y1={TOP + LANES.length * LANE_HEIGHT} y2={TOP + LANES.length * LANE_HEIGHT} stroke={MUTED} />
            <text x={8} y={TOP + LANES.length * LANE_HEIGHT + 18} font-size="12" fill={MUTED}>
              Date
            </text>
          </g>
          <g class="windows">
            {view.windows
              .filter((w) => dayOf(w.to) >= fromDay && dayOf(w.from) <= toDay)
              .map((w) => {
                const x1 = x(Math.max(dayOf(w.from), fromDay));
                const x2 = x(Math.min(dayOf(w.to) + 1, toDay));
                const label = `${w.label} window, ${w.from} to ${w.to} (${w.basis})`;
                return (
                  <g key={`${w.kind}-${w.label}`} role="img" aria-label={label}>
                    <title>{label}</title>
                    {/* The band runs down through the sessions lane, so a session's place in it shows. */}
                    <rect x={x1} y={laneY('windows') - 12} width={Math.max(2, x2 - x1)} height={LANE_HEIGHT + 24} fill={WINDOW_FILL[w.kind]} />
                    <rect x={x1} y={laneY('windows') - 12} width={Math.max(2, x2 - x1)} height={24} fill="none" stroke={WINDOW_STROKE[w.kind]} stroke-dasharray="4 2" />
                    {x2 - x1 > w.label.length * 7 ? (
                      <text x={(x1 + x2) / 2} y={laneY('windows') + 4} font-size="12" text-anchor="middle" fill={INK}>
                        {w.label}
                      </text>
                    ) : null}
                  </g>
                );
              })}
          </g>
          <g class="milestones">
            {[
              { date: props.enrolledOn, label: `Enrolled ${props.enrolledOn}`, short: 'Enrolled' },
              ...(props.withdrawnOn ? [{ date: props.withdrawnOn, label: `Withdrawn ${props.withdrawnOn}`, short: 'Withdrawn' }] : []),
            ]
              .filter((m) => inView(m.date))
              .map((m) => (
                <g key={m.short} role="img" aria-label={m.label}>
                  <title>{m.label}</title>
                  <line x1={x(dayOf(m.date))} x2={x(dayOf(m.date))} y1={TOP} y2={TOP + LANES.length * LANE_HEIGHT} stroke={INK} stroke-dasharray="2 3" />
                  <text x={x(dayOf(m.date)) + 3} y={TOP + 10} font-size="11" fill={INK}>
                    {m.short}
                  </text>
                </g>
              ))}
          </g>
          <g class="sessions">
            {shownSessions.map((s, i) => {
                const out = deviating.has(s.number);
                const colour = s.kind === 'initial' ? OKABE_ITO.blue : '#9a6700';
                return (
                  <Marker key={s.number} x={x(dayOf(s.date))} y={laneY('sessions') + sessionDy[i]!} label={sessionText(s, view)}>
                    {s.kind === 'initial' ? <circle r={9} fill={colour} /> : <rect x={-9} y={-9} width={18} height={18} fill={colour} />}
                    <text y={4} font-size="11" text-anchor="middle" fill="#ffffff" font-weight="700">
                      {s.number}
                    </text>
                    {out ? (
                      <g>
                        <circle r={13} fill="none" stroke={OKABE_ITO.vermillion} stroke-width={2.5} />
                        <text y={-16} font-size="14" font-weight="700" text-anchor="middle" fill="#a3240b">
                          !
                        </text>
                      </g>
                    ) : null}
                  </Marker>
                );
              })}
          </g>
          <g class="adverse-events">
            {shownEvents.map((e, i) => {
                const x1 = x(dayOf(e.onsetDate));
                const end = e.resolvedDate ? x(Math.min(dayOf(e.resolvedDate), toDay)) : x(toDay);
                const y = laneY('adverseEvents') + eventDy[i]!;
                return (
                  <g key={e.no}>
                    <line x1={x1} x2={end} y1={y} y2={y} stroke={OKABE_ITO.vermillion} stroke-width={2} stroke-dasharray={e.resolvedDate ? undefined : '5 3'} aria-hidden="true" />
                    <Marker x={x1} y={y} label={adverseEventText(e)}>
                      <path d="M0 -10 L9 7 L-9 7 Z" fill={e.serious ? OKABE_ITO.vermillion : '#ffffff'} stroke={OKABE_ITO.vermillion} stroke-width={2} />
                      {e.serious ? null : (
                        <text y={5} font-size="9" text-anchor="middle" fill="#a3240b" font-weight="700">
                          {e.grade}
                        </text>
                      )}
                    </Marker>
                  </g>
                );
              })}
          </g>
          <g class="fading-assessments">
            {shownAssessments.map((a, i) => (
                <Marker key={a.no} x={x(dayOf(a.date))} y={laneY('fadingAssessments') + assessmentDy[i]!} label={assessmentText(a)}>
                  <path d="M0 -10 L10 0 L0 10 L-10 0 Z" fill={OKABE_ITO.reddishPurple} stroke="#7a3b62" />
                  <text y={4} font-size="10" text-anchor="middle" fill={INK} font-weight="700">
                    {a.grade}
                  </text>
                </Marker>
              ))}
          </g>
          <g class="surveys">
            {shownSurveys.map((s, i) => (
                <Marker key={s.no} x={x(dayOf(s.date))} y={laneY('surveys') + surveyDy[i]!} label={surveyText(s)}>
                  <circle r={9} fill="#ffffff" stroke="#00674b" stroke-width={2.5} />
                  <text y={4} font-size="10" text-anchor="middle" fill={INK} font-weight="700">
                    {s.satisfaction}
                  </text>
                </Marker>
              ))}
          </g>
        </svg>
      </div>
      <p class="hint timeline-legend">
        Sessions: circle initial, square touch-up, numbered; a ring and “!” marks a session outside its window. Adverse events: triangle (filled when serious) with a line to
        resolution (dashed while unresolved). Fading: diamond with the grade. Surveys: circle with the satisfaction score. Shaded bands: the protocol's expected windows.
      </p>
      <h3 id="deviations-heading">Deviations from the protocol</h3>
      {view.deviations.length === 0 ? (
        <p id="deviations">None: every session so far is inside its window.</p>
      ) : (
        <ul id="deviations" aria-labelledby="deviations-heading">
          {view.deviations.map((d, i) => (
            <li key={i}>{d.text}</li>
          ))}
        </ul>
      )}
      <details class="timeline-table">
        <summary>The timeline as a table</summary>
        <div class="table-scroll" tabIndex={0} role="region" aria-label="The timeline as a table">
          <table>
            <caption>Every dated record of participant {props.participant}, and the protocol's windows</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {[
                ...events,
                ...view.windows.map((w) => ({
                  date: w.from,
                  lane: 'windows' as const,
                  label: `${w.label} window, ${w.from} to ${w.to}`,
                  details: w.basis,
                })),
              ]
                .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
                .map((e, i) => (
                  <tr key={i}>
                    <td>{e.date}</td>
                    <th scope="row">{e.label}</th>
                    <td>{e.details}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
