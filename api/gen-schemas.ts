// Writes the generated artefacts users rely on, from their single zod definitions: the JSON
// Schema of the study bundle, the OpenAPI document of the HTTP API, and the route and
// configuration tables of api/README.md. With --check, fails if a committed copy has drifted.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { environmentVariables } from './config.ts';
import { StudyBundle } from './schemas/bundle.ts';
import { openApiDocument } from './openapi.ts';
import { configurationTable, replaceGenerated, routeTable } from './reference-tables.ts';
import { apiRoutes, API_VERSION } from './routes/index.ts';

const BUNDLE_SCHEMA_FILE = new URL('./schemas/smp-study-bundle-1.schema.json', import.meta.url);
const OPENAPI_FILE = new URL('./schemas/openapi.json', import.meta.url);
const API_README_FILE = new URL('./README.md', import.meta.url);

export function bundleJsonSchema(): string {
  const schema = z.toJSONSchema(StudyBundle, { io: 'input', target: 'draft-2020-12' });
  return JSON.stringify({ $id: 'https://smp-outcomes-tracker.invalid/schemas/smp-study-bundle-1.schema.json', ...schema }, null, 2) + '\n';
}

export function openApiJson(): string {
  return JSON.stringify(openApiDocument(apiRoutes, API_VERSION), null, 2) + '\n';
}

/** api/README.md with its route and configuration tables made from the code. */
export function apiReadme(current: string): string {
  const withRoutes = replaceGenerated(current, 'routes', routeTable(apiRoutes));
  return replaceGenerated(withRoutes, 'configuration', configurationTable(environmentVariables()));
}

/** Every generated artefact with the content it should have now. */
const artefacts = () => [
  { file: BUNDLE_SCHEMA_FILE, content: bundleJsonSchema() },
  { file: OPENAPI_FILE, content: openApiJson() },
  { file: API_README_FILE, content: apiReadme(fs.readFileSync(API_README_FILE, 'utf8')) },
];

const runAsScript = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (!runAsScript) {
  // Imported (by tests): generate on demand, write nothing.
} else if (process.argv.includes('--check')) {
  const stale = artefacts().filter(({ file, content }) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content);
  for (const { file } of stale) console.error(`${file.pathname} is out of date: run npm run gen`);
  process.exitCode = stale.length > 0 ? 1 : 0;
} else {
  for (const { file, content } of artefacts()) {
    fs.writeFileSync(file, content);
    console.log(`wrote ${file.pathname}`);
  }
}
