// Writes the generated artefacts users rely on, from their single zod definitions:
// the JSON Schema of the study bundle. With --check, fails if the committed copy has drifted.
import fs from 'node:fs';
import { z } from 'zod';
import { StudyBundle } from './schemas/bundle.ts';

const BUNDLE_SCHEMA_FILE = new URL('./schemas/smp-study-bundle-1.schema.json', import.meta.url);

export function bundleJsonSchema(): string {
  const schema = z.toJSONSchema(StudyBundle, { io: 'input', target: 'draft-2020-12' });
  return JSON.stringify({ $id: 'https://smp-outcomes-tracker.invalid/schemas/smp-study-bundle-1.schema.json', ...schema }, null, 2) + '\n';
}

const artefacts = [{ file: BUNDLE_SCHEMA_FILE, content: bundleJsonSchema() }];

if (process.argv.includes('--check')) {
  const stale = artefacts.filter(({ file, content }) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content);
  for (const { file } of stale) console.error(`${file.pathname} is out of date: run npm run gen`);
  process.exitCode = stale.length > 0 ? 1 : 0;
} else {
  for (const { file, content } of artefacts) {
    fs.writeFileSync(file, content);
    console.log(`wrote ${file.pathname}`);
  }
}
