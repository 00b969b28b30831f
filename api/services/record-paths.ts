// Paths in a participant, as queries and verifications name them: '' (the participant),
// `withdrawnOn`, `adverseEvents[2]`, `adverseEvents[2].outcome`. The index is the record's place
// in its list as the participant is read now; what is stored is the record's number, which stays.
import type { QueryList as ReviewedList } from '../schemas/data-queries.ts';
import { AppError } from '../errors.ts';
import { QUERY_PATH, RECORD_FIELDS } from '../schemas/data-queries.ts';
import { LISTS, type Loaded } from './participant-views.ts';

/** A path resolved against a participant: the record's list and number (if any) and the field (if any). */
export interface ResolvedPath {
  list: ReviewedList | null;
  no: number | null;
  field: string | null;
  path: string;
}

const refused = (field: string, path: string, message: string) =>
  new AppError('validation', `the ${field} ${JSON.stringify(path)} does not name anything in this participant`, [{ path: field, message }]);

/** Resolve `path` in the loaded participant, or refuse (400, naming `field`) a path that names nothing. */
export function resolvePath(loaded: Pick<Loaded, ReviewedList>, path: string, field = 'path'): ResolvedPath {
  const match = QUERY_PATH.exec(path);
  if (!match) throw refused(field, path, 'is not a path in a participant');
  const [, list, index, recordField, participantField] = match;
  if (participantField !== undefined) {
    if (!RECORD_FIELDS.participant.includes(participantField)) {
      throw refused(field, path, `names no field of a participant (${RECORD_FIELDS.participant.join(', ')})`);
    }
    return { list: null, no: null, field: participantField, path };
  }
  if (list === undefined) return { list: null, no: null, field: null, path: '' };
  const reviewed = list as ReviewedList;
  const stored = loaded[reviewed];
  const i = Number(index);
  if (i >= stored.length) {
    throw refused(field, path, `the participant has ${stored.length} ${LISTS[reviewed].noun}${stored.length === 1 ? '' : 's'} (indexes 0 to ${stored.length - 1})`);
  }
  if (recordField !== undefined && !RECORD_FIELDS[reviewed].includes(recordField)) {
    throw refused(field, path, `names no field of ${LISTS[reviewed].noun === 'adverse event' ? 'an' : 'a'} ${LISTS[reviewed].noun} (${RECORD_FIELDS[reviewed].join(', ')})`);
  }
  return { list: reviewed, no: stored[i]!.key, field: recordField ?? null, path };
}

/** The path of a record now, from its index in its list (null: the record is gone, the path as raised stands). */
export function currentPath(list: ReviewedList | null, index: number | null, field: string | null, raised: string): string {
  if (list === null) return field ?? '';
  if (index === null) return raised;
  return `${list}[${index}]${field === null ? '' : `.${field}`}`;
}
