// The choices of a site's country field: every ISO 3166-1 alpha-3 code with its name, by code,
// from the one list the server checks against (api/schemas/countries.ts).
import { COUNTRIES, COUNTRY_NAMES } from '../../../api/schemas/countries.ts';
import type { Choice } from './record-form.tsx';

export const COUNTRY_CHOICES: readonly Choice[] = COUNTRIES.map((country) => ({ value: country.code, label: `${country.code}: ${country.name}` }));

export { COUNTRY_NAMES };
