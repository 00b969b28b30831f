// The HTML report is self-contained: its scripts are inline. Rather than allow every inline
// script, its Content-Security-Policy names each of the report's own scripts by hash.
import { createHash } from 'node:crypto';

const EXECUTABLE_SCRIPT = /<script(?: type="module")?>([\s\S]*?)<\/script>/g;

export function reportContentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(EXECUTABLE_SCRIPT)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`,
  );
  return [
    "default-src 'none'",
    `script-src ${hashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}
