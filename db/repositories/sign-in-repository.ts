// Failed sign-ins and locks, per user for untrusted browsers and per trusted browser (device
// cookie), and the server's own secrets. SQL only; the rules live in api/services/sign-in-guard.ts.
// Times are the caller's clock (`now`), so that tests can move it instead of waiting.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

/** A secret of the server by name, made (32 random bytes) the first time it is asked for. */
export async function serverSecret(db: Kysely<Database>, name: string): Promise<Buffer> {
  await db.insertInto('server_secret').values({ name, secret: randomBytes(32) }).onConflict((oc) => oc.column('name').doNothing()).execute();
  const row = await db.selectFrom('server_secret').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return Buffer.from(row.secret);
}

const at = (now: Date) => sql<string>`${now.toISOString()}::timestamptz`;

/** A user's lock of untrusted browsers (while it lasts at `now`) and the start of device trust. */
export async function selectSignInState(db: Kysely<Database>, userId: number, now: Date) {
  return db
    .selectFrom('app_user')
    .select([
      sql<string | null>`case when locked_until > ${at(now)} then to_char(locked_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end`.as('locked_until'),
      sql<number | null>`floor(extract(epoch from devices_trusted_from))::float8`.as('devices_trusted_from'),
    ])
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Count a failed sign-in from an untrusted browser. The `maxFailures`-th in a row locks the
 * user's untrusted browsers for `lockMinutes` and starts the count again. Failures while locked
 * are not counted, so they do not extend the lock. Returns whether this failure locked it.
 */
export async function recordUntrustedFailure(db: Kysely<Database>, userId: number, maxFailures: number, lockMinutes: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('app_user')
    .set({
      failed_sign_ins: sql<number>`case when failed_sign_ins + 1 >= ${maxFailures} then 0 else failed_sign_ins + 1 end`,
      locked_until: sql<string>`case when failed_sign_ins + 1 >= ${maxFailures} then ${at(now)} + make_interval(mins => ${lockMinutes}) else locked_until end`,
    })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at(now))]))
    .returning(sql<boolean>`failed_sign_ins = 0`.as('locked'))
    .executeTakeFirst();
  return row?.locked ?? false;
}

/**
 * After a right password: if the user is still enabled and has the password that was checked
 * (nothing changed meanwhile), and, for an untrusted browser, is not locked, reset the count of
 * untrusted failures (only for an untrusted browser). Returns whether the sign-in may go on.
 */
export async function recordPasswordSuccess(trx: Kysely<Database>, userId: number, checkedHash: string, now: Date, trusted: boolean): Promise<boolean> {
  let query = trx
    .updateTable('app_user')
    .set(trusted ? { failed_sign_ins: sql<number>`failed_sign_ins` } : { failed_sign_ins: 0, locked_until: null })
    .where('user_id', '=', userId)
    .where('password_hash', '=', checkedHash)
    .where('disabled_at', 'is', null);
  if (!trusted) query = query.where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at(now))]));
  return (await query.returning('user_id').execute()).length === 1;
}

/** Whether a trusted browser of this user is locked at `now` after its own failures. */
export async function isDeviceLocked(db: Kysely<Database>, deviceId: Uint8Array, userId: number, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('device_sign_in')
    .select(sql<boolean>`locked_until is not null and locked_until > ${at(now)}`.as('locked'))
    .where('device_id', '=', deviceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.locked ?? false;
}

/** Count a failed sign-in from a trusted browser; the `maxFailures`-th in a row locks it for `lockMinutes`. */
export async function recordDeviceFailure(
  db: Kysely<Database>,
  deviceId: Uint8Array,
  userId: number,
  maxFailures: number,
  lockMinutes: number,
  now: Date,
): Promise<boolean> {
  const { rows } = await sql<{ locked: boolean }>`
    insert into device_sign_in as d (device_id, user_id, failed_sign_ins, locked_until, last_failure_at)
    values (${deviceId}, ${userId}, case when 1 >= ${maxFailures} then 0 else 1 end,
      case when 1 >= ${maxFailures} then ${at(now)} + make_interval(mins => ${lockMinutes}) end, ${at(now)})
    on conflict (device_id) do update set
      failed_sign_ins = case when d.failed_sign_ins + 1 >= ${maxFailures} then 0 else d.failed_sign_ins + 1 end,
      locked_until = case when d.failed_sign_ins + 1 >= ${maxFailures} then ${at(now)} + make_interval(mins => ${lockMinutes}) else d.locked_until end,
      last_failure_at = ${at(now)}
    where d.user_id = excluded.user_id
    returning d.locked_until is not null and d.failed_sign_ins = 0 as locked`.execute(db);
  return rows[0]?.locked ?? false;
}

/** Forget a trusted browser's failures after it signed in. */
export async function clearDeviceFailures(db: Kysely<Database>, deviceId: Uint8Array): Promise<void> {
  await db.deleteFrom('device_sign_in').where('device_id', '=', deviceId).execute();
}

/**
 * End the trust of every browser of a user: their device cookies issued before `now` no longer
 * count (a password change, a new invite, disabling), and their failures are forgotten.
 */
export async function distrustDevices(trx: Kysely<Database>, userId: number, now: Date): Promise<void> {
  await trx.updateTable('app_user').set({ devices_trusted_from: at(now) }).where('user_id', '=', userId).execute();
  await trx.deleteFrom('device_sign_in').where('user_id', '=', userId).execute();
}
