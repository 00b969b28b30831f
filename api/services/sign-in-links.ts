// One-time links: an invite, on which a new user sets their password, and a sign-in link that
// signs in without one (the first run). The secret travels in the URL's fragment
// (`/sign-in#invite=…`), which browsers never send to a server, so it stays out of every access
// log and proxy; the page's script reads it and posts it to the API. Stored only as a hash.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/kysely.ts';
import { expireUserLinks, insertLink } from '../../db/repositories/sign-in-link-repository.ts';
import type { Config } from '../config.ts';
import type { OneTimeLink } from '../schemas/users.ts';
import { secretHash } from './auth-service.ts';

export type LinkPurpose = 'invite' | 'sign-in';

/** How long a link works: a week to accept an invite, a day for a sign-in link. */
export const LINK_VALID_HOURS: Record<LinkPurpose, number> = { invite: 7 * 24, 'sign-in': 24 };

/** A new random secret of 256 bits, URL-safe. */
export const newSecret = (): string => randomBytes(32).toString('base64url');

/**
 * The address users open: SMP_PUBLIC_URL, or else the server's own host and port (a wildcard
 * bind address becomes localhost).
 */
export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  if (config.publicUrl !== undefined) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

export function linkUrl(baseUrl: string, purpose: LinkPurpose, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/sign-in#${purpose}=${secret}`;
}

/**
 * Issue a new link for a user, inside the caller's transaction. Their older unused links stop
 * working: only the newest link a user was given is valid.
 */
export async function issueLink(trx: Kysely<Database>, userId: number, purpose: LinkPurpose, baseUrl: string): Promise<OneTimeLink> {
  await expireUserLinks(trx, userId);
  const secret = newSecret();
  const expiresAt = await insertLink(trx, secretHash(secret), userId, purpose, LINK_VALID_HOURS[purpose]);
  return { url: linkUrl(baseUrl, purpose, secret), purpose, expiresAt };
}
