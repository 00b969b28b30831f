// The worklist table: rows in the worklist's order, filters and counts, page keys, and the JSON
// bytes written straight from the columns, which must be exactly what JSON.stringify writes for
// each row (dates checked against Date.prototype.toISOString, an independent implementation).
import { expect } from 'chai';
import type { ScheduleStep } from '../../../analysis/schedule.ts';
import {
  buildWorklistTable,
  cellAfterKey,
  keyOfCell,
  rowOfCell,
  selectCells,
  worklistJsonBytes,
  type TableParticipant,
} from '../../../api/services/worklist-table.ts';

const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

type Step = Pick<ScheduleStep, 'step' | 'kind' | 'label' | 'target' | 'windowStart' | 'windowEnd' | 'status' | 'missing'>;
const step = (name: string, label: string, target: string, before: number, after: number, status: ScheduleStep['status'], missing: ScheduleStep['missing']): Step => ({
  step: name,
  kind: name === 'touch-up' ? 'touch_up' : 'visit',
  label,
  target: dayOf(target),
  windowStart: dayOf(target) - before,
  windowEnd: dayOf(target) + after,
  status,
  missing,
});

// Three participants given out of name order; one has no sessions (no steps). Labels with quotes,
// a backslash and letters outside ASCII, so that the bytes must be JSON's escaping in UTF-8.
const PARTICIPANTS: TableParticipant[] = [
  {
    name: 'P10',
    site: 'MAN',
    schedule: {
      steps: [
        step('touch-up', 'Touch-up', '2021-03-01', 7, 7, 'done', []),
        step('FU8', 'Révision "8 mois" \\ é', '2021-11-01', 30, 45, 'upcoming', ['fadingAssessment']),
      ],
    },
  },
  {
    name: 'P02',
    site: 'LON',
    schedule: {
      steps: [
        step('touch-up', 'Touch-up', '2021-01-10', 7, 7, 'overdue', ['session']),
        step('FU8', 'Révision "8 mois" \\ é', '2021-09-10', 30, 45, 'due', ['fadingAssessment', 'survey']),
      ],
    },
  },
  { name: 'P05', site: 'LON', schedule: { steps: [] } },
];

const table = () => buildWorklistTable('2021-09-01', PARTICIPANTS, (p) => p.name, (p) => p, 2);
const everything = { wantedStep: [true, true], wantedStatus: [true, true, true, true, true], horizonEnd: null };

describe('worklist table', () => {
  it('orders rows by status, target day, participant and step, and writes each as the API row', () => {
    const t = table();
    const { cells, counts } = selectCells(t, ['touch-up', 'FU8'], everything);
    expect(Array.from(cells, (cell) => rowOfCell(t, cell))).to.deep.equal([
      { participant: 'P02', site: 'LON', step: 'touch-up', kind: 'touch_up', label: 'Touch-up', target: '2021-01-10', windowStart: '2021-01-03', windowEnd: '2021-01-17', status: 'overdue', missing: ['session'] },
      { participant: 'P02', site: 'LON', step: 'FU8', kind: 'visit', label: 'Révision "8 mois" \\ é', target: '2021-09-10', windowStart: '2021-08-11', windowEnd: '2021-10-25', status: 'due', missing: ['fadingAssessment', 'survey'] },
      { participant: 'P10', site: 'MAN', step: 'FU8', kind: 'visit', label: 'Révision "8 mois" \\ é', target: '2021-11-01', windowStart: '2021-10-02', windowEnd: '2021-12-16', status: 'upcoming', missing: ['fadingAssessment'] },
      { participant: 'P10', site: 'MAN', step: 'touch-up', kind: 'touch_up', label: 'Touch-up', target: '2021-03-01', windowStart: '2021-02-22', windowEnd: '2021-03-08', status: 'done', missing: [] },
    ]);
    expect(counts).to.deep.equal([
      { step: 'touch-up', site: 'LON', overdue: 1, due: 0, upcoming: 0, withdrawn: 0, done: 0 },
      { step: 'touch-up', site: 'MAN', overdue: 0, due: 0, upcoming: 0, withdrawn: 0, done: 1 },
      { step: 'FU8', site: 'LON', overdue: 0, due: 1, upcoming: 0, withdrawn: 0, done: 0 },
      { step: 'FU8', site: 'MAN', overdue: 0, due: 0, upcoming: 1, withdrawn: 0, done: 0 },
    ]);
  });

  it('keeps the statuses and steps asked for, counts under every filter but the status, and leaves out upcoming steps beyond the horizon', () => {
    const t = table();
    const due = selectCells(t, ['touch-up', 'FU8'], { ...everything, wantedStatus: [true, true, false, false, false] });
    expect(Array.from(due.cells, (cell) => rowOfCell(t, cell).step)).to.deep.equal(['touch-up', 'FU8']);
    expect(due.counts.map((c) => c.done + c.upcoming)).to.deep.equal([0, 1, 0, 1]);
    const visits = selectCells(t, ['touch-up', 'FU8'], { ...everything, wantedStep: [false, true] });
    expect(Array.from(visits.cells, (cell) => rowOfCell(t, cell).participant)).to.deep.equal(['P02', 'P10']);
    // The upcoming FU8 window of P10 opens on 2021-10-02, 31 days after 2021-09-01.
    const near = selectCells(t, ['touch-up', 'FU8'], { ...everything, horizonEnd: dayOf('2021-09-01') + 30 });
    expect(near.cells.length).to.equal(3);
    expect(near.counts.find((c) => c.step === 'FU8' && c.site === 'MAN')).to.equal(undefined);
    expect(selectCells(t, ['touch-up', 'FU8'], { ...everything, horizonEnd: dayOf('2021-09-01') + 31 }).cells.length).to.equal(4);
  });

  it('finds the rows after a page key', () => {
    const t = table();
    const { cells } = selectCells(t, ['touch-up', 'FU8'], everything);
    const second = keyOfCell(t, cells[1]!);
    expect(second).to.deep.equal([1, dayOf('2021-09-10'), 'P02', 1]);
    expect(Array.from(cells, (cell) => cellAfterKey(t, cell, second))).to.deep.equal([false, false, true, true]);
  });

  it('writes the JSON bytes JSON.stringify gives each row, one row a line', () => {
    const t = table();
    const { cells } = selectCells(t, ['touch-up', 'FU8'], everything);
    const rows = Array.from(cells, (cell) => rowOfCell(t, cell));
    const expected = `{"asOf":"2021-09-01","items":[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
    expect(worklistJsonBytes(t, cells).toString('utf8')).to.equal(expected);
    expect(worklistJsonBytes(t, new Int32Array(0)).toString('utf8')).to.equal('{"asOf":"2021-09-01","items":[]}\n');
  });

  it('writes every date as Date.prototype.toISOString does, leap days, year ends and years 0 to 9999 and beyond', () => {
    const days: number[] = [];
    for (let day = dayOf('1999-12-01'); day <= dayOf('2001-03-31'); day++) days.push(day);
    days.push(dayOf('1900-02-28'), dayOf('1900-03-01'), dayOf('2100-02-28'), dayOf('2100-03-01'), dayOf('0000-01-01'), dayOf('0000-12-31'));
    days.push(dayOf('9999-12-31'), dayOf('9999-12-31') + 1, dayOf('0000-01-01') - 1, -1, 0);
    const participants: TableParticipant[] = days.map((day, i) => ({
      name: `P${String(i).padStart(4, '0')}`,
      site: 'LON',
      schedule: { steps: [{ step: 'FU8', kind: 'visit', label: 'x', target: day, windowStart: day, windowEnd: day, status: 'due', missing: ['survey'] }] },
    }));
    const t = buildWorklistTable('2021-09-01', participants, (p) => p.name, (p) => p, 1);
    const { cells } = selectCells(t, ['FU8'], { wantedStep: [true], wantedStatus: [true, true, true, true, true], horizonEnd: null });
    const written = JSON.parse(worklistJsonBytes(t, cells).toString('utf8')) as { items: Array<{ participant: string; target: string }> };
    const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
    const expected = new Map(participants.map((p, i) => [p.name, iso(days[i]!)]));
    expect(written.items.length).to.equal(days.length);
    for (const item of written.items) expect(item.target, item.participant).to.equal(expected.get(item.participant));
    // Beyond year 9999 the row keeps the first ten characters toISOString writes, as every other output does.
    expect(iso(dayOf('9999-12-31') + 1)).to.equal('+010000-01');
  });
});
