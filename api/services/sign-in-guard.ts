// Slowing password guessing without handing attackers a lockout (OWASP's "device cookie"
// approach). A browser that signs in successfully as a user gets a device cookie for that user,
// signed with a key of the server's kept in the database (so every server process on it shares
// the key, and it survives restarts). At the next sign-in as that user, a browser with a valid
// device cookie is trusted:
// - failures from untrusted browsers count per user; `signInMaxFailures` in a row lock every
//   untrusted browser out of that user for `signInLockMinutes` (even with the right password);
// - a trusted browser is not held back by that lock: its own failures count per browser, and
//   `signInMaxFailures` in a row lock that browser's trust for `signInLockMinutes`, during which
//   it is treated as untrusted.
// A device cookie lasts `deviceTrustDays` from the last successful sign-in (each one renews it).
// A password change, accepting an invite, a new invite from an administrator, and disabling the
// user end the trust of every browser of the user (the browser that changed the password gets a
// new cookie). Counts and locks are in the database, so processes sharing it add them up.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../db/kysely.ts';
import {
  clearDeviceFailures,
  isDeviceLocked,
  recordDeviceFailure,
  recordUntrustedFailure,
  selectSignInState,
  serverSecret,
} from '../../db/repositories/sign-in-repository.ts';
import type { Config } from '../config.ts';

/** Device cookies are named per user, so that staff who share a computer each keep theirs. */
export const DEVICE_COOKIE_PREFIX = 'smp_device_';
export const deviceCookieName = (username: string) => `${DEVICE_COOKIE_PREFIX}${username}`;
/** Only the sign-in routes need the cookie: it is sent nowhere else. */
export const DEVICE_COOKIE_PATH = '/api/auth';

const SECRET_NAME = 'device-cookie';
const VERSION = 'd1';
/** A cookie made up to this far in the future (another process's clock) still counts. */
const CLOCK_SKEW_SECONDS = 300;

export type GuardConfig = Pick<Config, 'signInMaxFailures' | 'signInLockMinutes' | 'deviceTrustDays'>;

const keys = new WeakMap<Db, Promise<Buffer>>();

function signingKey(db: Db): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    key = serverSecret(db.kysely, SECRET_NAME);
    key.catch(() => keys.delete(db));
    keys.set(db, key);
  }
  return key;
}

const mac = (key: Buffer, username: string, deviceId: Buffer, issuedAt: number) =>
  createHmac('sha256', key).update(`smp-device/1\u0000${username}\u0000${deviceId.toString('base64url')}\u0000${issuedAt}`).digest();

/** A signed device cookie's value for `username`: `d1.<device>.<issued, Unix seconds>.<HMAC>`. */
export async function deviceCookieValue(db: Db, username: string, deviceId: Buffer, now: Date): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return [VERSION, deviceId.toString('base64url'), issuedAt, mac(await signingKey(db), username, deviceId, issuedAt).toString('base64url')].join('.');
}

export const newDeviceId = (): Buffer => randomBytes(16);

export interface DeviceCookie {
  deviceId: Buffer;
  issuedAt: number;
}

/** The device of a cookie signed by this server for `username` and not yet expired at `now`, or null. */
export async function readDeviceCookie(db: Db, config: GuardConfig, username: string, value: string | undefined, now: Date): Promise<DeviceCookie | null> {
  if (value === undefined) return null;
  const match = /^d1\.([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return null;
  const deviceId = Buffer.from(match[1]!, 'base64url');
  const issuedAt = Number(match[2]);
  const expected = mac(await signingKey(db), username, deviceId, issuedAt);
  const given = Buffer.from(match[3]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const nowSeconds = now.getTime() / 1000;
  if (issuedAt > nowSeconds + CLOCK_SKEW_SECONDS || issuedAt + config.deviceTrustDays * 86_400 <= nowSeconds) return null;
  return { deviceId, issuedAt };
}

/**
 * The trusted browser a request's Cookie header shows, by a valid device cookie for any user, as
 * the hex of its device id; or null. The sign-in rate limits count such a browser's failures apart
 * from its address's (api/http/rate-limit.ts).
 */
export async function trustedDeviceOf(db: Db, config: GuardConfig, cookieHeader: string | undefined, now: Date): Promise<string | null> {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq > 0 && name.startsWith(DEVICE_COOKIE_PREFIX)) {
      const device = await readDeviceCookie(db, config, name.slice(DEVICE_COOKIE_PREFIX.length), part.slice(eq + 1).trim(), now);
      if (device) return device.deviceId.toString('hex');
    }
  }
  return null;
}

/** Where a sign-in attempt comes from: a trusted browser (its device), or untrusted. */
export type Source = { trusted: true; deviceId: Buffer } | { trusted: false };

/**
 * Whether an attempt as a user comes from a trusted browser: a valid device cookie for them,
 * issued since their devices were last distrusted, of a browser not locked by its own failures.
 * Also says whether untrusted browsers are locked out of the user now.
 */
export async function sourceOf(
  db: Db,
  config: GuardConfig,
  user: { user_id: number; username: string },
  cookie: string | undefined,
  now: Date,
): Promise<{ source: Source; untrustedLockedUntil: string | null }> {
  const state = await selectSignInState(db.kysely, user.user_id, now);
  const untrustedLockedUntil = state?.locked_until ?? null;
  const device = await readDeviceCookie(db, config, user.username, cookie, now);
  if (
    device !== null &&
    device.issuedAt >= (state?.devices_trusted_from ?? 0) &&
    !(await isDeviceLocked(db.kysely, device.deviceId, user.user_id, now))
  ) {
    return { source: { trusted: true, deviceId: device.deviceId }, untrustedLockedUntil };
  }
  return { source: { trusted: false }, untrustedLockedUntil };
}

/** Count a wrong password from `source`: against its browser when trusted, else against the user's untrusted browsers. */
export async function recordFailure(db: Db, config: GuardConfig, userId: number, source: Source, now: Date): Promise<void> {
  if (source.trusted) await recordDeviceFailure(db.kysely, source.deviceId, userId, config.signInMaxFailures, config.signInLockMinutes, now);
  else await recordUntrustedFailure(db.kysely, userId, config.signInMaxFailures, config.signInLockMinutes, now);
}

/** Forget a trusted browser's failures once it has signed in. */
export async function recordTrustedSuccess(db: Db, source: Source): Promise<void> {
  if (source.trusted) await clearDeviceFailures(db.kysely, source.deviceId);
}
