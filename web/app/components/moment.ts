// One way to write a moment throughout the web application: the ISO day and the time to the
// minute, in UTC and saying so ("2026-12-06 14:05 UTC"), as the history, the audit log, the users
// page and the account page all show it. UTC rather than the viewer's zone, so that a time read
// out to a colleague elsewhere, or matched against an export, is the same time.

/** `2026-12-06T14:05:09.123Z` → `2026-12-06 14:05 UTC`; text that is not a moment is returned as it is. */
export function formatMoment(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const utc = new Date(ms).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 16)} UTC`;
}
