// Configuration from the environment, declared once as a zod schema: each variable with its
// description, default and check. The Config type, the start-up check (a bad value fails at once,
// naming the variable) and the configuration table of api/README.md all come from it.
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CONNECT_TIMEOUT_MS, parseDatabaseUrl } from '../db/postgres-url.ts';

/**
 * Time limits of the HTTP server. A request's headers are a few kilobytes: 20 seconds carry them
 * over the slowest line with room for its latency. A whole request gets 180 seconds: the largest
 * study we load, 20,000 participants, is a 40 MB bundle, which a clinic's 2 Mbit/s uplink sends
 * in 160 seconds (gzip-compressed, 1.9 MB, in 8). An idle kept-alive connection closes after 10
 * seconds: long enough for a page's next click, short enough not to hold sockets for nobody.
 */
export const DEFAULT_TIMEOUTS = { headers: 20, request: 180, keepAlive: 10 } as const;

/** Largest body of a record-level request: one record is small. */
export const ENTITY_LIMIT_BYTES = 1024 * 1024;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** What the configuration table shows of a variable beside its description. */
export interface VariableMeta {
  /** The default as the table shows it: a value, or words such as "unset". */
  default: string;
}

/** A variable's raw text: unset and empty mean the same, "use the default". */
const raw = z.string().optional().transform((value) => (value === undefined || value === '' ? undefined : value));

/** A variable that must be a whole number from `min` to `max`, or `fallback` when unset. */
function wholeNumber(fallback: number, min: number, max: number) {
  return raw.transform((value, ctx): number => {
    if (value === undefined) return fallback;
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max} (got "${value}")` });
      return z.NEVER;
    }
    return number;
  });
}

/** A variable's check, its description for the table, and its default as the table shows it. */
function variable<T extends z.ZodType>(schema: T, defaultText: string, description: string): T {
  return schema.describe(description).meta({ default: defaultText } satisfies VariableMeta);
}

/** Every environment variable the tracker reads, by name. */
export const Environment = z.object({
  DATABASE_URL: variable(
    raw.transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        parseDatabaseUrl(value); // refuses a URL that is not postgres:// now, not at first use
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
      return value;
    }),
    'unset',
    '`postgres://…` or `postgresql://…` to use a PostgreSQL server (15 or later; any other scheme is refused); unset: embedded PGlite. Without a user in the URL, `PGUSER`, then `USER`, then `postgres` is used',
  ),
  SMP_DATA_DIR: variable(
    raw.transform((value) => path.resolve(value ?? 'data')),
    '`./data`',
    "PGlite data directory. One process holds it; while `smp serve` does, other `smp` commands use it through the server's socket in `SMP_DATA_DIR/socket/`. Otherwise a second `smp` process is refused while another holds it, with what to do (use `DATABASE_URL` for several)",
  ),
  SMP_DB_CONNECT_TIMEOUT: variable(
    raw.transform((value, ctx): number => {
      if (value === undefined) return DEFAULT_CONNECT_TIMEOUT_MS;
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a number of seconds above 0 (got "${value}")` });
        return z.NEVER;
      }
      return Math.round(seconds * 1000);
    }),
    `\`${DEFAULT_CONNECT_TIMEOUT_MS / 1000}\``,
    'seconds to wait for a PostgreSQL server to accept a connection before giving up with a message naming `DATABASE_URL`, the host and the port',
  ),
  PORT: variable(
    raw.transform((value, ctx): number => {
      if (value === undefined) return 3000;
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        ctx.addIssue({ code: 'custom', message: `must be a port number (got "${value}")` });
        return z.NEVER;
      }
      return port;
    }),
    '`3000`',
    'HTTP port of `smp serve` (`--port` wins; through npm: `npm start -- --port N`)',
  ),
  HOST: variable(
    raw.transform((value) => value ?? '127.0.0.1'),
    '`127.0.0.1`',
    'HTTP bind address',
  ),
  SMP_PUBLIC_URL: variable(
    raw.transform((value, ctx) => {
      if (value === undefined) return undefined;
      if (!/^https?:\/\/[^/]+/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be an http:// or https:// address (got "${value}")` });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    }),
    'from `HOST` and `PORT`',
    'the address users open (`http://` or `https://`): used in sign-in and invite links, accepted as `Origin`, and `https://` marks the cookie `Secure`',
  ),
  SMP_TRUST_PROXY: variable(
    wholeNumber(0, 0, 10),
    '`0`',
    "reverse proxies in front of the server whose `X-Forwarded-For` and `X-Forwarded-Proto` to believe (0–10). Set it to 1 behind one proxy, so that rate limits count clients, not the proxy, and HTTPS is recognised",
  ),
  SMP_SESSION_IDLE_MINUTES: variable(
    wholeNumber(30, 1, 24 * 60),
    '`30`',
    'minutes without a request after which a sign-in session ends (1–1,440)',
  ),
  SMP_SESSION_MAX_HOURS: variable(
    wholeNumber(12, 1, 30 * 24),
    '`12`',
    'hours after signing in at which a sign-in session ends, however busy (1–720)',
  ),
  SMP_SIGN_IN_MAX_FAILURES: variable(
    wholeNumber(5, 1, 100),
    '`5`',
    "failed sign-ins in a row that lock untrusted browsers out of an account, or a trusted browser's trust (1–100)",
  ),
  SMP_SIGN_IN_LOCK_MINUTES: variable(wholeNumber(15, 1, 24 * 60), '`15`', 'minutes such a lock lasts (1–1,440)'),
  SMP_DEVICE_TRUST_DAYS: variable(
    wholeNumber(30, 1, 365),
    '`30`',
    "days a browser stays trusted for a user after its last successful sign-in (its device cookie's life, 1–365)",
  ),
  SMP_HEADERS_TIMEOUT_SECONDS: variable(
    wholeNumber(DEFAULT_TIMEOUTS.headers, 1, 3600),
    `\`${DEFAULT_TIMEOUTS.headers}\``,
    "seconds a client has to send a request's headers before 408 (1–3,600; not more than the next)",
  ),
  SMP_REQUEST_TIMEOUT_SECONDS: variable(
    wholeNumber(DEFAULT_TIMEOUTS.request, 1, 24 * 3600),
    `\`${DEFAULT_TIMEOUTS.request}\``,
    'seconds a client has to send a whole request, body included, before 408 (1–86,400): sized for a 40 MB import at 2 Mbit/s',
  ),
  SMP_KEEP_ALIVE_TIMEOUT_SECONDS: variable(
    wholeNumber(DEFAULT_TIMEOUTS.keepAlive, 1, 3600),
    `\`${DEFAULT_TIMEOUTS.keepAlive}\``,
    'seconds an idle kept-alive connection stays open (1–3,600)',
  ),
  SMP_AUTH_CACHE_SECONDS: variable(
    wholeNumber(5, 0, 300),
    '`5`',
    "seconds a token's or session's user and grants are remembered between look-ups (0–300; 0: every request). Changes made by the same server apply at once; changes by another process within this time",
  ),
  SMP_SUPPRESS_BELOW: variable(
    wholeNumber(5, 1, 1000),
    '`5`',
    "counts below this are suppressed in other sites' figures shown to a clinic (1–1,000)",
  ),
  SMP_IMPORT_LIMIT_MB: variable(
    wholeNumber(200, 1, 10_000),
    '`200`',
    'largest study import over HTTP, in MB: a bundle body or a csv/REDCap upload (1–10,000)',
  ),
  SMP_TIME_ZONE: variable(
    raw.transform((value, ctx) => {
      if (value === undefined) return undefined;
      try {
        new Intl.DateTimeFormat('en', { timeZone: value });
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an IANA time zone such as Europe/London (got "${value}")` });
        return z.NEVER;
      }
      return value;
    }),
    "the server's",
    'the IANA time zone (e.g. `Europe/London`) whose date is "today" for the worklist, its downloads and the calendar feeds when no `asOf` is given, and for refusing record dates after today',
  ),
  SMP_CONTACT_KEY: variable(
    raw.transform((value, ctx): Buffer | undefined => {
      if (value === undefined) return undefined;
      const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
      if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(value) && !/^[A-Za-z0-9+/]{43}=?$/.test(value))) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a 256-bit key: 64 hexadecimal characters or 44 characters of base64 (make one with `openssl rand -base64 32`)',
        });
        return z.NEVER;
      }
      return key;
    }),
    'unset',
    "the key that encrypts participants' contact details at rest (AES-256-GCM): 32 random bytes as 64 hexadecimal characters or 44 of base64, e.g. from `openssl rand -base64 32`. Unset: contacts cannot be stored. Keep it out of backups; `smp serve` and `smp restore` refuse a key that does not open the stored contacts",
  ),
  SMTP_URL: variable(
    raw.transform((value, ctx) => {
      if (value === undefined) return undefined;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        url = new URL('invalid:');
      }
      if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
        ctx.addIssue({ code: 'custom', message: 'must be an smtp:// or smtps:// address with a host, e.g. smtps://user:password@mail.example.org:465' });
        return z.NEVER;
      }
      return value;
    }),
    'unset',
    "the mail server that sends participants' survey invitations and reminders: `smtp://host:587` (STARTTLS when offered) or `smtps://host:465`, with `user:password@` when it needs them. Unset: no email is sent; the Follow-ups page offers each due visit survey's link to hand out",
  ),
  SMTP_FROM: variable(
    raw.transform((value, ctx) => {
      if (value === undefined) return undefined;
      if (!/^([^<>\r\n]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(value)) {
        ctx.addIssue({ code: 'custom', message: `must be an email address, optionally with a name: "Study team <surveys@example.org>" (got "${value}")` });
        return z.NEVER;
      }
      return value;
    }),
    'unset',
    'the From address of survey invitations and reminders, e.g. `Study team <surveys@example.org>`; needed with `SMTP_URL`',
  ),
  SMP_OUTBOX_INTERVAL_SECONDS: variable(
    wholeNumber(60, 1, 3600),
    '`60`',
    'seconds between two looks of each server process at the survey outbox: invitations and reminders that came due are planned and sent (1–3,600)',
  ),
  SMP_LOG_LEVEL: variable(
    raw.transform((value, ctx) => {
      const level = value ?? 'info';
      if (!(LOG_LEVELS as readonly string[]).includes(level)) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${LOG_LEVELS.join(', ')} (got "${level}")` });
        return z.NEVER;
      }
      return level as (typeof LOG_LEVELS)[number];
    }),
    '`info`',
    'request log level: `fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
  ),
  SMP_DEBUG: variable(
    raw.transform((value) => value !== undefined),
    'unset',
    'print stack traces of unexpected command failures, and why `dist/` could not be built when the command falls back to the sources',
  ),
  SMP_BENCH_WITHOUT_EDIT_CHECKS: variable(
    raw.refine((value) => value === undefined || value === '1', { error: 'must be 1 or unset' }),
    'unset',
    'benchmarks only: `1` skips the edit checks and the verification upkeep after each write, to measure their cost (`npm run bench:api -- --without-edit-checks`); never set it in use',
  ),
});

/** The configuration as the code uses it, from the checked variables. */
const ConfigFromEnvironment = Environment.transform((env, ctx) => {
  if (env.SMP_HEADERS_TIMEOUT_SECONDS > env.SMP_REQUEST_TIMEOUT_SECONDS) {
    ctx.addIssue({
      code: 'custom',
      path: ['SMP_HEADERS_TIMEOUT_SECONDS'],
      message: `(${env.SMP_HEADERS_TIMEOUT_SECONDS}) must not be more than SMP_REQUEST_TIMEOUT_SECONDS (${env.SMP_REQUEST_TIMEOUT_SECONDS}): the headers are part of the request`,
    });
    return z.NEVER;
  }
  if (env.SMTP_URL !== undefined && env.SMTP_FROM === undefined) {
    ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'must be set with SMTP_URL: the From address of survey invitations, e.g. "Study team <surveys@example.org>"' });
    return z.NEVER;
  }
  return {
    /** PostgreSQL server URL; when absent the embedded PGlite database is used. */
    databaseUrl: env.DATABASE_URL,
    dataDir: env.SMP_DATA_DIR,
    connectTimeoutMs: env.SMP_DB_CONNECT_TIMEOUT,
    port: env.PORT,
    host: env.HOST,
    publicUrl: env.SMP_PUBLIC_URL,
    sessionIdleMinutes: env.SMP_SESSION_IDLE_MINUTES,
    sessionMaxHours: env.SMP_SESSION_MAX_HOURS,
    signInMaxFailures: env.SMP_SIGN_IN_MAX_FAILURES,
    signInLockMinutes: env.SMP_SIGN_IN_LOCK_MINUTES,
    authCacheSeconds: env.SMP_AUTH_CACHE_SECONDS,
    suppressBelow: env.SMP_SUPPRESS_BELOW,
    importLimitBytes: env.SMP_IMPORT_LIMIT_MB * 1024 * 1024,
    trustProxyHops: env.SMP_TRUST_PROXY,
    logLevel: env.SMP_LOG_LEVEL as string,
    headersTimeoutSeconds: env.SMP_HEADERS_TIMEOUT_SECONDS,
    requestTimeoutSeconds: env.SMP_REQUEST_TIMEOUT_SECONDS,
    keepAliveTimeoutSeconds: env.SMP_KEEP_ALIVE_TIMEOUT_SECONDS,
    deviceTrustDays: env.SMP_DEVICE_TRUST_DAYS,
    timeZone: env.SMP_TIME_ZONE,
    /** The 32-byte key of participants' contact details, or undefined when none is set. */
    contactKey: env.SMP_CONTACT_KEY,
    /** The mail server of survey invitations, or undefined: nothing is sent. */
    smtpUrl: env.SMTP_URL,
    smtpFrom: env.SMTP_FROM,
    outboxIntervalSeconds: env.SMP_OUTBOX_INTERVAL_SECONDS,
    debug: env.SMP_DEBUG,
  };
});

/** The checked configuration; each field's variable, description and default are in `Environment`. */
export type Config = z.output<typeof ConfigFromEnvironment>;

/**
 * The configuration from the environment. A bad value throws at once, naming the variable:
 * `SMP_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440 (got "x")`; several bad values
 * are named together, one sentence each, separated by "; ".
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const known = Object.fromEntries(Object.keys(Environment.shape).map((name) => [name, env[name]]));
  const result = ConfigFromEnvironment.safeParse(known);
  if (result.success) return result.data;
  const sentences = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'the environment');
    // A sentence that already names its variable (DATABASE_URL's, from the URL check) is kept whole.
    return issue.message.startsWith(name) ? issue.message : `${name} ${issue.message}`;
  });
  throw new Error(sentences.join('; '));
}

/** A variable's row of the configuration table: its name, its default and what it means. */
export interface VariableRow {
  name: string;
  default: string;
  description: string;
}

/** Every variable of `Environment`, in declaration order, for the configuration table. */
export function environmentVariables(): VariableRow[] {
  return Object.entries(Environment.shape).map(([name, schema]) => {
    const meta = schema.meta() as VariableMeta | undefined;
    if (meta === undefined || schema.description === undefined) throw new Error(`${name} has no description or default`);
    return { name, default: meta.default, description: schema.description };
  });
}

/** The database options of a configuration, for `openMigratedDb`. */
export function dbOptions(config: Config) {
  return { databaseUrl: config.databaseUrl, dataDir: config.dataDir, connectTimeoutMs: config.connectTimeoutMs };
}
