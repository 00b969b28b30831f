// The web application's words for what the API says in its own terms: a problem's JSON path
// becomes the label on the screen, a list of codes becomes "choose one of the list", field keys
// inside a sentence become their labels, and null becomes "empty". The API keeps its paths and
// codes for scripts; only the page translates them.
/** Labels the field names do not spell out well by themselves. */
const LABELS: Record<string, string> = {
  costUsd: 'Cost (US dollars)',
  fitzpatrick: 'Fitzpatrick skin type',
  keloidHistory: 'History of keloid scarring',
  enrolledOn: 'Enrolled on',
  withdrawnOn: 'Withdrawn on',
  durationMinutes: 'Duration (minutes)',
  anesthesia: 'Anaesthesia',
  pigmentLot: 'Pigment lot',
  onsetDate: 'Onset date',
  resolvedDate: 'Resolved date',
  sessionNumber: 'After session number',
  densityScore: 'Density score (0–10)',
  needsTouchUp: 'Needs a touch-up',
  wouldRecommend: 'Would recommend',
  yearsExperience: 'Years of SMP experience',
  initialSessions: 'Initial sessions',
  sessionIntervalDays: 'Days between initial sessions',
  intervalToleranceDays: 'Interval tolerance (days)',
  touchUpAfterDays: 'Touch-up after (days)',
  touchUpToleranceDays: 'Touch-up tolerance (days)',
  surveyLinkDays: 'Survey links work for (days)',
  birthYear: 'Birth year',
  from: 'Follow-up window from (months after the final session)',
  to: 'Follow-up window to (months)',
  monthsAfterFinalSession: 'Months after the final session',
  windowBeforeDays: 'Window opens (days before the target)',
  windowAfterDays: 'Window closes (days after the target)',
  expectsFadingAssessment: 'Expects a fading assessment',
  expectsSurvey: 'Expects a survey',
  siteCode: 'First site: code',
  siteName: 'First site: clinic name',
  siteCountry: 'First site: country',
  'X-Change-Reason': 'Reason for the change',
};

/**
 * The hints a form shows under a field, in the page's words. A field listed with '' shows no hint
 * (its label says it all); a field not listed shows the schema's description when that is plain.
 */
const HINTS: Record<string, string> = {
  withdrawalCause: 'Required when "Withdrawn on" is given',
  resolvedDate: 'Leave empty while the event is unresolved',
  kind: '',
  anesthesia: '',
  keloidHistory: '',
  intervalToleranceDays: 'How many days a session may come early or late and still be on schedule',
  touchUpToleranceDays: 'How many days the touch-up may come early or late and still be on schedule',
  touchUpAfterDays: 'Planned days from the last initial session to the touch-up; empty when no touch-up is planned',
  surveyLinkDays: 'How many days a survey link given to a participant keeps working (1 to 365)',
  densityScore: 'Dot density score 0–10, one decimal',
  needsTouchUp: 'Whether a touch-up is needed; empty if not assessed',
  wouldRecommend: 'Would recommend SMP; empty when unanswered',
  country: 'Three-letter country code, e.g. GBR; empty if not recorded',
  category: '',
  outcome: '',
  grade: '',
  serious: 'Serious adverse event (SAE)',
  siteCountry: 'Three-letter country code, e.g. GBR; empty if not recorded',
  expiresInDays: 'Days until the token expires (1–3,650); empty: it does not expire',
  monthsAfterFinalSession: 'Target: months (of 30.4375 days) after the final session, within the protocol’s follow-up window',
};

/** Sentences of the API that name a key where the page says it in words. */
const PHRASES: [RegExp, string][] = [
  [/follow-up window, followUpMonths (\S+) to (\S+)/g, 'follow-up window, $1 to $2 months'],
  [/must list at least one kind of record: fadingAssessment, survey/g, 'must expect at least one kind of record: a fading assessment or a survey'],
  [/is already used by visits\[\d+\]/g, 'is already used by another visit'],
  [/\bvisits\[\d+\] "/g, 'visit "'],
];

/** `birthYear` → `Birth year`. */
export function labelOf(name: string): string {
  if (LABELS[name]) return LABELS[name]!;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `androgenetic_alopecia` → `androgenetic alopecia`. */
export function optionLabel(value: string): string {
  return value.replaceAll('_', ' ');
}

/** A camelCase field key (withdrawnOn), a snake_case code (touch_up) or the word null. */
export const INTERNAL_WORD = /\b(?:[a-z]+[A-Z][A-Za-z]*|[a-z]+_[a-z_]+|null)\b/;

/** Whether a sentence can be shown as it is: it names no key, code or null. */
export function isPlain(text: string): boolean {
  return !INTERNAL_WORD.test(text);
}

/** The hint under a field: the page's own words, or the schema's when they are plain and say more than the label. */
export function hintOf(name: string, description: string | undefined, label: string): string | undefined {
  const hint = name in HINTS ? HINTS[name] : description;
  if (!hint || !isPlain(hint)) return undefined;
  const same = (a: string) => a.toLowerCase().replace(/[^a-z0-9]/g, '');
  return same(hint) === same(label) ? undefined : hint;
}

/** A stored record's dotted field path in labels: `protocol.sessionIntervalDays` → `Protocol: Days between initial sessions`. */
export function fieldPathLabel(path: string): string {
  return path.split('.').map(labelOf).join(': ');
}

/** `participants[3].sessions[1].date` → `Date`; `(header) X-Change-Reason` → `Reason for the change`. */
export function pathLabel(path: string): string {
  if (path === '(document)') return 'The form';
  const names = path
    .replace(/^\(header\)\s*/, '')
    .replace(/^(body|query|path)\./, '')
    .split(/[.[\]]+/)
    .filter((part) => part !== '' && !/^\d+$/.test(part));
  const last = names.at(-1);
  return last ? labelOf(last) : 'The form';
}

/**
 * A problem's message in the page's words: "must be one of a, b (got "")" for an empty choice says
 * it is required, a list of codes becomes "choose one of the list", field keys become labels and
 * null becomes empty.
 */
export function plainMessage(message: string): string {
  const oneOf = /^must be one of (.+) \(got (.*)\)$/.exec(message);
  if (oneOf) return oneOf[2] === '""' || oneOf[2] === 'nothing' || oneOf[2] === 'null' ? 'is required' : 'must be one of the choices in the list';
  return PHRASES.reduce((text, [pattern, words]) => text.replace(pattern, words), message)
    .replace(/\(got null\)/g, '(got nothing)')
    .replace(/\bnull\b/g, 'empty')
    .replace(/\b[a-z]+[A-Z][A-Za-z]*\b/g, (key) => `"${labelOf(key)}"`)
    .replace(/\b[a-z]+_[a-z_]+\b/g, (code) => optionLabel(code));
}
