// Password hashing with scrypt (node:crypto). A hash carries its own parameters and salt,
// `scrypt$ln=15,r=8,p=3$<salt>$<key>` (base64 without padding), so the cost can be raised later
// while old hashes still verify. Checking a password against no user costs the same as against a
// real one, so that timing does not tell which usernames exist.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * N = 2^15, r = 8, p = 3: one of the OWASP Password Storage Cheat Sheet's equivalent scrypt
 * settings (32 MiB a hash); of those it measured the fastest here after N = 2^14, p = 5.
 */
const PRODUCTION_COST: Cost = { ln: 15, r: 8, p: 3 };
/** The parameters of new hashes and of the decoy: PRODUCTION_COST unless a test lowered them. */
let COST: Cost = PRODUCTION_COST;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** At most this many hashes run at once: bounds memory (32 MiB each) and leaves the CPU to requests. */
const CONCURRENT_HASHES = 2;

interface Cost {
  ln: number;
  r: number;
  p: number;
}

interface ParsedHash extends Cost {
  salt: Buffer;
  key: Buffer;
}

const HASH_FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parseHash(stored: string): ParsedHash | null {
  const match = HASH_FORMAT.exec(stored);
  if (!match) return null;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const key = Buffer.from(match[5]!, 'base64');
  if (ln < 1 || ln > 20 || r < 1 || p < 1 || key.length < 16) return null;
  return { ln, r, p, salt: Buffer.from(match[4]!, 'base64'), key };
}

let running = 0;
const waiting: Array<() => void> = [];

async function derive(password: string, salt: Buffer, keyBytes: number, cost: { ln: number; r: number; p: number }): Promise<Buffer> {
  if (running >= CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const N = 2 ** cost.ln;
    const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
    return await new Promise<Buffer>((resolve, reject) =>
      scrypt(password.normalize('NFKC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))),
    );
  } finally {
    running--;
    waiting.shift()?.();
  }
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** A new salted hash of `password`, with its parameters. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, COST);
  return `scrypt$ln=${COST.ln},r=${COST.r},p=${COST.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * What an unknown user's password is checked against: today's parameters with a random salt and
 * key. No password derives that key, and the check costs what a real one costs.
 */
let DECOY: ParsedHash = { ...COST, salt: randomBytes(SALT_BYTES), key: randomBytes(KEY_BYTES) };

/**
 * For tests only (test/support/password-cost.ts): cheaper parameters for new hashes and the decoy,
 * so that a test file that signs in dozens of times does not spend half a second a hash; `null`
 * restores today's. Refused outside a mocha run (no global `describe`), so that no server or
 * command can lower the cost by accident. Stored hashes keep verifying at their own parameters.
 */
export function setTestPasswordCost(cost: Cost | null): void {
  if (typeof (globalThis as { describe?: unknown }).describe !== 'function') {
    throw new Error('setTestPasswordCost is for tests run by mocha only');
  }
  COST = cost ?? PRODUCTION_COST;
  DECOY = { ...COST, salt: randomBytes(SALT_BYTES), key: randomBytes(KEY_BYTES) };
}

/**
 * Whether `password` matches `stored`. With `stored` null (no such user, or no password set) the
 * same work is done against the decoy and the answer is false.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parsed = (stored === null ? null : parseHash(stored)) ?? DECOY;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key) && parsed !== DECOY;
}

/** Whether a stored hash uses weaker parameters than today's, so it should be rehashed on sign-in. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  return parsed === null || parsed.ln < COST.ln || parsed.r < COST.r || parsed.p < COST.p || parsed.key.length < KEY_BYTES;
}
