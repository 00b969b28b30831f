// The countries a site can be in: ISO 3166-1's assigned alpha-3 codes with their English short
// names, from the iso-3166 package's list (kept to ISO's changes upstream). The one list the
// bundle's site `country`, the web form's choices and the exports read; it imports nothing else.
import { iso31661 } from 'iso-3166/1.js';

export interface Country {
  /** ISO 3166-1 alpha-3 code, e.g. GBR. */
  code: string;
  /** ISO's English short name, e.g. "United Kingdom of Great Britain and Northern Ireland". */
  name: string;
}

/** Every assigned country, by code. */
export const COUNTRIES: readonly Country[] = iso31661
  .map((entry) => ({ code: entry.alpha3, name: entry.name }))
  .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

/** The codes alone, for z.enum. */
export const COUNTRY_CODES = COUNTRIES.map((country) => country.code) as [string, ...string[]];

/** A country's name by its code. */
export const COUNTRY_NAMES: ReadonlyMap<string, string> = new Map(COUNTRIES.map((country) => [country.code, country.name]));
