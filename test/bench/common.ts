// What the benchmarks share: the PostgreSQL server they work on, one statement run there (to
// create and drop their databases), and the median of their runs.
import pg from 'pg';

/** The PostgreSQL server: DATABASE_URL, or the local test server. */
export const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Runs one statement on the server, over a connection of its own. */
export async function onServer(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The middle value; with an even count, the mean of the two middle values. */
export const median = (xs: number[]) => {
  const s = xs.toSorted((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Milliseconds, whole: `1234 ms`. */
export const ms = (x: number) => `${x.toFixed(0)} ms`;
