// Rows ordered by participant, grouped per participant in one pass: the shape both export and
// analysis read their per-participant records in.

/** Group `rows` (ordered by participant_no) into lists per participant, mapping each row (or not). */
export function groupByParticipant<R extends { participant_no: number }>(rows: readonly R[]): Map<number, R[]>;
export function groupByParticipant<R extends { participant_no: number }, T>(rows: readonly R[], map: (row: R) => T): Map<number, T[]>;
export function groupByParticipant<R extends { participant_no: number }, T>(rows: readonly R[], map?: (row: R) => T): Map<number, Array<T | R>> {
  const groups = new Map<number, Array<T | R>>();
  for (const row of rows) {
    let group = groups.get(row.participant_no);
    if (group === undefined) groups.set(row.participant_no, (group = []));
    group.push(map ? map(row) : row);
  }
  return groups;
}
