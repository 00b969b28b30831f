// The tables of api/README.md that mirror the code: the routes, from their declarations, and the
// configuration, from the zod schema of the environment. `npm run gen` writes them between their
// markers and `npm run gen:check` fails when the README's copy differs.
import { z } from 'zod';
import type { VariableRow } from './config.ts';
import type { RouteSpec } from './http/route.ts';

/** Who may call a route, in words, from its declared requirements. */
export function whoMayCall(route: RouteSpec): string {
  if (route.auth === 'public') return 'anyone';
  if (route.callers !== undefined) return route.callers;
  const permission = route.permission;
  if (permission === undefined) return 'signed in';
  switch (permission.need) {
    case 'admin':
      return 'administrators';
    case 'import':
    case 'writeStudy':
      return 'administrators, researchers';
    case 'writeParticipants':
      return 'administrators, researchers, clinics (their sites)';
    case 'ownTokens':
      return 'administrators, researchers (signed-in browser)';
    case 'roles':
      return permission.roles.map((role) => `${role === 'admin' ? 'administrator' : role}s`).join(', ');
    default: {
      const unknown: never = permission;
      throw new Error(`unknown permission ${JSON.stringify(unknown)}`);
    }
  }
}

/** Text safe inside a Markdown table cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The names of a route's query parameters, or an empty cell. */
function queryNames(route: RouteSpec): string {
  if (!(route.query instanceof z.ZodObject)) return '';
  return Object.keys(route.query.shape)
    .map((name) => `\`${name}\``)
    .join(', ');
}

/** One row per route, in the order of the declarations (the OpenAPI document's). */
export function routeTable(routes: readonly RouteSpec[]): string {
  const rows = routes.map(
    (route) =>
      `| \`${route.method.toUpperCase()}\` | \`/api${route.path}\` | ${whoMayCall(route)} | ${cell(route.summary)} | ${queryNames(route)} |`,
  );
  return ['| method | path | who may call | what it does | query |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** One row per environment variable, in the order of the schema. */
export function configurationTable(variables: readonly VariableRow[]): string {
  const rows = variables.map((variable) => `| \`${variable.name}\` | ${cell(variable.default)} | ${cell(variable.description)} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/**
 * `text` with the part between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` replaced
 * by `content`. Throws when the markers are missing, so a README cannot silently lose its table.
 */
export function replaceGenerated(text: string, name: string, content: string): string {
  const start = `<!-- generated:${name} -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the markers ${start} … ${end} are missing`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}
