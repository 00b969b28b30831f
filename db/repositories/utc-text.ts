// Times as text: a timestamptz column as ISO 8601 in UTC, whatever the server's time zone, so that
// both drivers return the same string.
import { sql, type RawBuilder } from 'kysely';

/** A timestamptz column as `YYYY-MM-DDTHH:MM:SSZ` in UTC. */
export const iso = (column: string): RawBuilder<string> =>
  sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/** The same, for a column that may be null. */
export const isoOrNull = (column: string) => iso(column) as RawBuilder<string | null>;
