// The frozen migrations' CHECK constraints against the study vocabulary: every coded column of the
// migrated database accepts exactly the vocabulary's codes, in its order, and every graded column
// exactly the vocabulary's range, so that adding a code without a migration fails here. The lists
// are read back from the database's own constraint definitions (pg_get_constraintdef).
import { expect } from 'chai';
import { sql } from 'kysely';
import {
  AE_CATEGORIES,
  AE_OUTCOMES,
  ANESTHESIA,
  ASSESSORS,
  CTCAE_GRADES,
  FADING_GRADE_LABELS,
  FITZPATRICK_LABELS,
  INDICATIONS,
  RELATEDNESS,
  SATISFACTION_LABELS,
  SESSION_KINDS,
  SEXES,
  WITHDRAWAL_CAUSES,
} from '../../analysis/vocabulary.ts';
import { DRIVER, freshDb, type TestDb } from '../support/database.ts';

/** Every single-column CHECK constraint of the current schema, by `table.column`. */
async function columnChecks(db: TestDb): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table_name: string; column_name: string; definition: string }>`
    select c.relname as table_name, a.attname as column_name, pg_get_constraintdef(k.oid) as definition
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = k.conrelid and a.attnum = k.conkey[1]
    where k.contype = 'c' and cardinality(k.conkey) = 1 and n.nspname = current_schema()
    order by 1, 2, 3`.execute(db.kysely);
  const checks = new Map<string, string[]>();
  for (const row of rows) {
    const key = `${row.table_name}.${row.column_name}`;
    checks.set(key, [...(checks.get(key) ?? []), row.definition]);
  }
  return checks;
}

/** The quoted codes of a column's `in (…)` CHECK, in the order the constraint lists them. */
function listedCodes(definitions: string[] | undefined): string[] {
  const list = (definitions ?? []).find((definition) => /ANY \(+ARRAY\[/.test(definition));
  if (list === undefined) return [];
  return [...list.matchAll(/'((?:[^']|'')*)'::text/g)].map((match) => match[1]!.replaceAll("''", "'"));
}

/** The bounds of a column's `between a and b` CHECK. */
function range(definitions: string[] | undefined): [number, number] | null {
  for (const definition of definitions ?? []) {
    const low = /\w+ >= (\d+)/.exec(definition);
    const high = /\w+ <= (\d+)/.exec(definition);
    if (low && high) return [Number(low[1]), Number(high[1])];
  }
  return null;
}

describe(`the migrations' CHECK lists equal the study vocabulary (${DRIVER})`, function () {
  this.timeout(60_000);

  it('accepts exactly the vocabulary codes, in its order, in every coded column', async () => {
    const db = await freshDb();
    try {
      const checks = await columnChecks(db);
      const coded: Array<[string, readonly string[]]> = [
        ['participant.sex', SEXES],
        ['participant.indication', INDICATIONS],
        ['participant.withdrawal_cause', WITHDRAWAL_CAUSES],
        ['treatment_session.kind', SESSION_KINDS],
        ['treatment_session.anesthesia', ANESTHESIA],
        ['adverse_event.category', AE_CATEGORIES],
        ['adverse_event.relatedness', RELATEDNESS],
        ['adverse_event.outcome', AE_OUTCOMES],
        ['fading_assessment.assessor', ASSESSORS],
      ];
      for (const [column, codes] of coded) {
        expect(listedCodes(checks.get(column)), column).to.deep.equal([...codes]);
      }
    } finally {
      await db.dispose();
    }
  });

  it('bounds every graded column by the vocabulary scale', async () => {
    const db = await freshDb();
    try {
      const checks = await columnChecks(db);
      expect(range(checks.get('adverse_event.grade')), 'CTCAE grade').to.deep.equal([1, CTCAE_GRADES.length]);
      expect(range(checks.get('fading_assessment.grade')), 'fading grade').to.deep.equal([0, FADING_GRADE_LABELS.length - 1]);
      expect(range(checks.get('satisfaction_survey.satisfaction')), 'satisfaction').to.deep.equal([1, SATISFACTION_LABELS.length]);
      expect(range(checks.get('participant.fitzpatrick')), 'Fitzpatrick type').to.deep.equal([1, Object.keys(FITZPATRICK_LABELS).length]);
    } finally {
      await db.dispose();
    }
  });
});
