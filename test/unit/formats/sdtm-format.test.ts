// The `sdtm` format: every file checked against the Dataset-JSON 1.1 rules (a checker written
// from the specification, itself tested on broken files), the CSV copies equal to the JSON rows,
// and the SDTM conventions: USUBJID, study days with no day 0, controlled terms, --SEQ.
import { expect } from 'chai';
import { writeSdtm } from '../../../api/formats/sdtm/export.ts';
import { exportStudy } from '../../../api/services/format-service.ts';
import { smallBundle } from '../../support/bundles.ts';
import type { FormatFile } from '../../../api/formats/types.ts';
import type { StudyBundle } from '../../../api/schemas/bundle.ts';
import { cohortBundle, csvRecords, demoBundle, fileNamed, textOf, valid } from './helpers.ts';

const TOP_LEVEL_ORDER = [
  'datasetJSONCreationDateTime', 'datasetJSONVersion', 'fileOID', 'dbLastModifiedDateTime', 'originator', 'sourceSystem',
  'studyOID', 'metaDataVersionOID', 'metaDataRef', 'itemGroupOID', 'records', 'name', 'label', 'columns', 'rows',
];
const REQUIRED = ['datasetJSONCreationDateTime', 'datasetJSONVersion', 'itemGroupOID', 'records', 'name', 'label', 'columns'];
const DATA_TYPES = ['string', 'integer', 'decimal', 'float', 'double', 'boolean', 'datetime', 'date', 'time', 'URI'];
const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(([+-]([01]\d|2[0-3]):[0-5]\d)|Z)?$/;
const ISO_DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

/** Every way `document` breaks the Dataset-JSON 1.1 rules; empty when it keeps them. */
function datasetJsonViolations(document: any): string[] {
  const out: string[] = [];
  if (typeof document !== 'object' || document === null) return ['not an object'];
  for (const key of REQUIRED) if (!(key in document)) out.push(`missing ${key}`);
  const keys = Object.keys(document);
  for (const key of keys) if (!TOP_LEVEL_ORDER.includes(key)) out.push(`unknown key ${key}`);
  const ranks = keys.map((key) => TOP_LEVEL_ORDER.indexOf(key)).filter((rank) => rank >= 0);
  if (ranks.some((rank, i) => i > 0 && rank < ranks[i - 1]!)) out.push('keys are not in the specified order');
  if (typeof document.datasetJSONCreationDateTime !== 'string' || !DATE_TIME.test(document.datasetJSONCreationDateTime)) out.push('bad datasetJSONCreationDateTime');
  if (typeof document.datasetJSONVersion !== 'string' || !/^1\.1(\.(0|[1-9]\d*))?$/.test(document.datasetJSONVersion)) out.push('bad datasetJSONVersion');
  for (const key of ['itemGroupOID', 'name', 'fileOID', 'studyOID']) {
    if (key in document && (typeof document[key] !== 'string' || document[key].length === 0)) out.push(`bad ${key}`);
  }
  if (typeof document.label !== 'string') out.push('bad label');
  if ('sourceSystem' in document && (typeof document.sourceSystem?.name !== 'string' || typeof document.sourceSystem?.version !== 'string')) out.push('bad sourceSystem');
  if (!Number.isInteger(document.records) || document.records < 0) out.push('bad records');
  if (!Array.isArray(document.columns)) return [...out, 'columns is not an array'];
  const names = new Set<string>();
  const oids = new Set<string>();
  document.columns.forEach((column: any, i: number) => {
    for (const key of ['itemOID', 'name']) if (typeof column[key] !== 'string' || column[key].length === 0) out.push(`column ${i}: bad ${key}`);
    if (typeof column.label !== 'string') out.push(`column ${i}: bad label`);
    if (!DATA_TYPES.includes(column.dataType)) out.push(`column ${i}: bad dataType ${column.dataType}`);
    if ('length' in column && (!Number.isInteger(column.length) || column.length < 1)) out.push(`column ${i}: bad length`);
    if (column.dataType === 'string' && !('length' in column)) out.push(`column ${i}: string without length`);
    if ('keySequence' in column && (!Number.isInteger(column.keySequence) || column.keySequence < 1)) out.push(`column ${i}: bad keySequence`);
    if (names.has(column.name)) out.push(`column ${i}: duplicate name`);
    if (oids.has(column.itemOID)) out.push(`column ${i}: duplicate itemOID`);
    names.add(column.name);
    oids.add(column.itemOID);
  });
  const rows = document.rows ?? [];
  if (!Array.isArray(rows)) return [...out, 'rows is not an array'];
  if (rows.length !== document.records) out.push(`records is ${document.records} but there are ${rows.length} rows`);
  rows.forEach((row: unknown, r: number) => {
    if (!Array.isArray(row) || row.length !== document.columns.length) {
      out.push(`row ${r}: ${Array.isArray(row) ? row.length : 'no'} values for ${document.columns.length} columns`);
      return;
    }
    row.forEach((value, c) => {
      const column = document.columns[c];
      if (value === null) return;
      const ok = ((): boolean => {
        switch (column.dataType) {
          case 'string':
          case 'URI':
            return typeof value === 'string' && (column.length === undefined || [...value].length <= column.length);
          case 'integer':
            return Number.isInteger(value);
          case 'decimal':
            return typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value);
          case 'float':
          case 'double':
            return typeof value === 'number' && Number.isFinite(value);
          case 'boolean':
            return typeof value === 'boolean';
          case 'date':
            return typeof value === 'string' && ISO_DATE.test(value);
          case 'datetime':
            return typeof value === 'string' && DATE_TIME.test(value);
          case 'time':
            return typeof value === 'string' && /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$/.test(value);
          default:
            return false;
        }
      })();
      if (!ok) out.push(`row ${r}, ${column.name}: ${JSON.stringify(value)} does not match dataType ${column.dataType}`);
    });
  });
  return out;
}

const CREATED = new Date('2024-05-01T09:30:00Z');
const datasets = (files: FormatFile[]) => files.filter((f) => f.name.endsWith('.json')).map((f) => ({ name: f.name, document: JSON.parse(textOf(f)) }));
const rowsOf = (document: any) => document.rows.map((row: unknown[]) => Object.fromEntries(document.columns.map((c: any, i: number) => [c.name, row[i]])));
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
/** SDTM study day, computed here independently of the exporter. */
const sdtmDay = (date: string, reference: string) => {
  const d = dayOf(date) - dayOf(reference);
  return d >= 0 ? d + 1 : d;
};

describe('sdtm format', () => {
  describe('the Dataset-JSON 1.1 checker', () => {
    const good = () => JSON.parse(textOf(fileNamed(writeSdtm(demoBundle(), { createdAt: CREATED }), 'ae.json')));
    it('passes a well-formed dataset and catches each broken rule', () => {
      expect(datasetJsonViolations(good())).to.deep.equal([]);
      const broken = (change: (d: any) => void) => {
        const document = good();
        change(document);
        return datasetJsonViolations(document);
      };
      expect(broken((d) => delete d.itemGroupOID)).to.deep.equal(['missing itemGroupOID']);
      expect(broken((d) => (d.records = 2))).to.deep.equal(['records is 2 but there are 1 rows']);
      expect(broken((d) => d.rows[0].pop())).to.deep.equal(['row 0: 16 values for 17 columns']);
      expect(broken((d) => (d.rows[0][3] = '1'))).to.deep.equal(['row 0, AESEQ: "1" does not match dataType integer']);
      expect(broken((d) => (d.rows[0][13] = '20-06-2018'))).to.deep.equal(['row 0, AESTDTC: "20-06-2018" does not match dataType date']);
      expect(broken((d) => (d.rows[0][4] = 'x'.repeat(200)))).to.deep.equal([`row 0, AETERM: "${'x'.repeat(200)}" does not match dataType string`]);
      expect(broken((d) => (d.datasetJSONVersion = '1.0.0'))).to.deep.equal(['bad datasetJSONVersion']);
      expect(broken((d) => delete d.columns[4].length)).to.deep.equal(['column 4: string without length']);
    });
  });

  for (const [label, bundle] of [['the demo study', demoBundle], ['a 2,000-participant cohort', cohortBundle]] as const) {
    describe(`on ${label}`, () => {
      let files: FormatFile[];
      let source: StudyBundle;
      before(() => {
        source = bundle();
        files = writeSdtm(source, { createdAt: CREATED });
      });

      it('writes DM, EX, AE, QS and FA, each as Dataset-JSON and CSV, every JSON file keeping the Dataset-JSON 1.1 rules', () => {
        expect(files.map((f) => f.name)).to.deep.equal(['dm.json', 'dm.csv', 'ex.json', 'ex.csv', 'ae.json', 'ae.csv', 'qs.json', 'qs.csv', 'fa.json', 'fa.csv']);
        for (const { name, document } of datasets(files)) {
          expect(datasetJsonViolations(document), name).to.deep.equal([]);
          expect(document).to.include({ datasetJSONCreationDateTime: '2024-05-01T09:30:00Z', datasetJSONVersion: '1.1.0', name: name.slice(0, 2).toUpperCase(), itemGroupOID: `IG.${name.slice(0, 2).toUpperCase()}` });
        }
      });

      it('writes the same rows and columns to the CSV files', () => {
        for (const { name, document } of datasets(files)) {
          const csv = csvRecords(textOf(fileNamed(files, name.replace('.json', '.csv'))));
          expect(csv, name).to.deep.equal(rowsOf(document).map((row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? '' : String(v)]))));
        }
      });

      it('has one DM row per participant with USUBJID study-site-participant, SEX M/F/U, RFSTDTC the first session', () => {
        const dm = rowsOf(JSON.parse(textOf(fileNamed(files, 'dm.json'))));
        expect(dm).to.have.length(source.participants.length);
        const countries = new Map(source.sites.map((site) => [site.code, site.country]));
        source.participants.forEach((p, i) => {
          const first = p.sessions.map((s) => s.date).sort()[0] ?? null;
          expect(dm[i]).to.include({
            USUBJID: `${source.study.code}-${p.site}-${p.code}`,
            SUBJID: p.code,
            SITEID: p.site,
            COUNTRY: countries.get(p.site),
            SEX: { female: 'F', male: 'M', other: 'U', unknown: 'U' }[p.sex],
            AGE: Number(p.enrolledOn.slice(0, 4)) - p.birthYear,
            AGEU: 'YEARS',
            RFSTDTC: first,
            ARMCD: 'SMP',
            ACTARMCD: first === null ? null : 'SMP',
            ARMNRS: first === null ? 'ASSIGNED, NOT TREATED' : null,
          });
        });
      });

      it('counts study days from RFSTDTC as day 1, with no day 0', () => {
        const reference = new Map<string, string | null>(rowsOf(JSON.parse(textOf(fileNamed(files, 'dm.json')))).map((r: any) => [r.USUBJID, r.RFSTDTC]));
        const pairs: Array<[string, string, string]> = [['ex.json', 'EXSTDTC', 'EXSTDY'], ['ae.json', 'AESTDTC', 'AESTDY'], ['ae.json', 'AEENDTC', 'AEENDY'], ['qs.json', 'QSDTC', 'QSDY'], ['fa.json', 'FADTC', 'FADY']];
        let checked = 0;
        for (const [file, dateVariable, dayVariable] of pairs) {
          for (const row of rowsOf(JSON.parse(textOf(fileNamed(files, file))))) {
            const ref = reference.get(row.USUBJID);
            const date = row[dateVariable] as string | null;
            expect(row[dayVariable], `${file} ${row.USUBJID}`).to.equal(date === null || !ref ? null : sdtmDay(date, ref));
            expect(row[dayVariable]).to.not.equal(0);
            checked += 1;
          }
        }
        expect(checked).to.be.greaterThan(source.participants.length);
        const ex = rowsOf(JSON.parse(textOf(fileNamed(files, 'ex.json'))));
        expect(ex.filter((r: any) => r.VISITNUM === 1).every((r: any) => r.EXSTDY === 1)).to.equal(true);
      });

      it('numbers --SEQ 1, 2, 3… within each subject and domain', () => {
        for (const [file, seq] of [['ex.json', 'EXSEQ'], ['ae.json', 'AESEQ'], ['qs.json', 'QSSEQ'], ['fa.json', 'FASEQ']]) {
          const bySubject = new Map<string, number[]>();
          for (const row of rowsOf(JSON.parse(textOf(fileNamed(files, file!))))) bySubject.set(row.USUBJID, [...(bySubject.get(row.USUBJID) ?? []), row[seq!]]);
          for (const [subject, numbers] of bySubject) expect(numbers, `${file} ${subject}`).to.deep.equal(numbers.map((_, i) => i + 1));
        }
      });

      it('has a row per session in EX, per event in AE, two per survey in QS and three per assessment in FA', () => {
        const count = (file: string) => JSON.parse(textOf(fileNamed(files, file))).records;
        const total = (pick: (p: StudyBundle['participants'][number]) => unknown[]) => source.participants.reduce((n, p) => n + pick(p).length, 0);
        expect(count('ex.json')).to.equal(total((p) => p.sessions));
        expect(count('ae.json')).to.equal(total((p) => p.adverseEvents));
        expect(count('qs.json')).to.equal(2 * total((p) => p.surveys));
        expect(count('fa.json')).to.equal(3 * total((p) => p.fadingAssessments));
      });
    });
  }

  it("takes DM.COUNTRY from the participant's site, and still exports a study whose sites have none, with a warning naming each", () => {
    const input = smallBundle();
    input.sites[0].country = 'GBR';
    input.sites.push({ code: 'ZRH', name: 'Zürich clinic' });
    const bundle = valid(input);
    expect(bundle.sites.map((site) => site.country)).to.deep.equal(['GBR', null, null]);
    const exported = exportStudy(bundle, 'sdtm', { createdAt: CREATED });
    const dm = rowsOf(JSON.parse(textOf(fileNamed(exported.files, 'dm.json'))));
    expect(dm.map((r: any) => [r.SITEID, r.COUNTRY])).to.deep.equal([
      ['LON', 'GBR'],
      ['MAN', null],
    ]);
    expect(csvRecords(textOf(fileNamed(exported.files, 'dm.csv'))).map((r) => r.COUNTRY)).to.deep.equal(['GBR', '']);
    // MAN has a participant and no country; ZRH has no country but no participant either, so no DM row lacks it.
    expect(exported.warnings).to.deep.equal([
      {
        path: 'sites[1].country',
        message: 'site MAN has no country, so DM.COUNTRY (required by SDTM) is empty for its 1 participant; give the site its ISO 3166-1 alpha-3 country code',
      },
    ]);
    // The other formats carry the country without requiring it.
    expect(exportStudy(bundle, 'csv').warnings).to.deep.equal([]);
    expect(exportStudy(valid(smallBundle()), 'sdtm', { createdAt: CREATED }).warnings.map((w) => w.path)).to.deep.equal(['sites[0].country', 'sites[1].country']);
  });

  it('codes every category with its CTCAE v5.0 term and system organ class, and writes a formula term behind an apostrophe in ae.csv', () => {
    const input = smallBundle();
    const categories = ['infection', 'allergic_reaction', 'keloid', 'granuloma', 'mri_interference', 'pigment_migration', 'discoloration', 'other'];
    input.participants[0].adverseEvents = categories.map((category, i) => ({
      category,
      term: i === 7 ? '=HYPERLINK("http://x.invalid")' : `Event ${i + 1}`,
      onsetDate: `2019-01-${String(10 + i).padStart(2, '0')}`,
      resolvedDate: null,
      grade: 1,
      serious: false,
      relatedness: 'possible',
      outcome: 'recovering',
      sessionNumber: null,
      solicited: false,
    }));
    const files = writeSdtm(valid(input), { createdAt: CREATED });
    const ae = rowsOf(JSON.parse(textOf(fileNamed(files, 'ae.json'))));
    // CTCAE v5.0 (NCI, 2017): each term as the criteria spell it, with its SOC; "- Other, specify"
    // where the criteria have no term for the category (api/formats/README.md says why for each).
    expect(ae.map((r: any) => [r.AETERM, r.AECAT, r.AEDECOD, r.AEBODSYS])).to.deep.equal([
      ['Event 1', 'INFECTION', 'Skin infection', 'Infections and infestations'],
      ['Event 2', 'ALLERGIC REACTION', 'Allergic reaction', 'Immune system disorders'],
      ['Event 3', 'KELOID', 'Skin and subcutaneous tissue disorders - Other, specify', 'Skin and subcutaneous tissue disorders'],
      ['Event 4', 'GRANULOMA', 'Skin and subcutaneous tissue disorders - Other, specify', 'Skin and subcutaneous tissue disorders'],
      ['Event 5', 'MRI INTERFERENCE', 'Injury, poisoning and procedural complications - Other, specify', 'Injury, poisoning and procedural complications'],
      ['Event 6', 'PIGMENT MIGRATION', 'Skin and subcutaneous tissue disorders - Other, specify', 'Skin and subcutaneous tissue disorders'],
      ['Event 7', 'DISCOLORATION', 'Skin and subcutaneous tissue disorders - Other, specify', 'Skin and subcutaneous tissue disorders'],
      ['=HYPERLINK("http://x.invalid")', 'OTHER', 'General disorders and administration site conditions - Other, specify', 'General disorders and administration site conditions'],
    ]);
    // The CSV copy writes the term a spreadsheet would run behind an apostrophe; the JSON keeps it as it is.
    const csv = textOf(fileNamed(files, 'ae.csv')).split('\r\n');
    expect(csv[0]).to.equal('STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AEDECOD,AECAT,AEPRESP,AEBODSYS,AESER,AETOXGR,AEREL,AEOUT,AESTDTC,AEENDTC,AESTDY,AEENDY');
    expect(csv[8]).to.equal(
      `TEST-1,AE,TEST-1-LON-P01,8,"'=HYPERLINK(""http://x.invalid"")","General disorders and administration site conditions - Other, specify",OTHER,,General disorders and administration site conditions,N,1,POSSIBLY RELATED,RECOVERING/RESOLVING,2019-01-17,,11,`,
    );
  });

  it('writes an untreated participant with no actual arm, and ARMNRS "ASSIGNED, NOT TREATED" (SDTMIG 3.4)', () => {
    const input = smallBundle();
    input.participants[1].sessions = [];
    input.participants[1].adverseEvents = [];
    input.participants[1].fadingAssessments = [];
    input.participants[1].surveys = [];
    input.sites[0].country = 'GBR';
    input.sites[1].country = 'GBR';
    const dm = rowsOf(JSON.parse(textOf(fileNamed(writeSdtm(valid(input), { createdAt: CREATED }), 'dm.json'))));
    const arms = (r: any) => [r.USUBJID, r.ARMCD, r.ARM, r.ACTARMCD, r.ACTARM, r.ARMNRS, r.COUNTRY];
    expect(dm.map(arms)).to.deep.equal([
      ['TEST-1-LON-P01', 'SMP', 'Scalp micropigmentation', 'SMP', 'Scalp micropigmentation', null, 'GBR'],
      ['TEST-1-MAN-P02', 'SMP', 'Scalp micropigmentation', null, null, 'ASSIGNED, NOT TREATED', 'GBR'],
    ]);
  });

  it('maps the demo study\'s adverse event, survey and assessment to SDTM terms', () => {
    const files = writeSdtm(demoBundle(), { createdAt: CREATED });
    const [ae] = rowsOf(JSON.parse(textOf(fileNamed(files, 'ae.json'))));
    expect(ae).to.deep.equal({
      STUDYID: 'SMP-2021', DOMAIN: 'AE', USUBJID: 'SMP-2021-MAN-P07', AESEQ: 1, AETERM: 'Localised pruritic erythema at pigment sites', AEDECOD: 'Allergic reaction',
      AECAT: 'ALLERGIC REACTION', AEPRESP: null, AEBODSYS: 'Immune system disorders', AESER: 'N', AETOXGR: '1', AEREL: 'PROBABLY RELATED', AEOUT: 'RECOVERED/RESOLVED',
      AESTDTC: '2018-06-20', AEENDTC: '2018-07-02', AESTDY: sdtmDay('2018-06-20', '2018-06-04'), AEENDY: sdtmDay('2018-07-02', '2018-06-04'),
    });
    const qs = rowsOf(JSON.parse(textOf(fileNamed(files, 'qs.json')))).filter((r: any) => r.USUBJID === 'SMP-2021-LON-P01');
    expect(qs.map((r: any) => [r.QSTESTCD, r.QSORRES, r.QSSTRESC, r.QSSTRESN, r.QSDTC])).to.deep.equal([
      ['SMPSAT', 'Very satisfied', '5', 5, '2020-11-16'],
      ['SMPREC', 'Yes', 'Y', 1, '2020-11-16'],
    ]);
    const fa = rowsOf(JSON.parse(textOf(fileNamed(files, 'fa.json')))).filter((r: any) => r.USUBJID === 'SMP-2021-LON-P01').slice(0, 3);
    expect(fa.map((r: any) => [r.FATESTCD, r.FAORRES, r.FASTRESN, r.FAEVAL, r.FADTC])).to.deep.equal([
      ['FADEGRD', '0', 0, 'INVESTIGATOR', '2018-11-06'],
      ['DENSSCR', '9.2', 9.2, 'INVESTIGATOR', '2018-11-06'],
      ['TUNEED', 'N', null, 'INVESTIGATOR', '2018-11-06'],
    ]);
  });
});
