// `smp export CODE [--format F] [--out PATH] [--deidentify] [--force]`: a stored study, read in
// one snapshot, as the bundle or in an interchange format, de-identified once with the study's
// key when asked (the report of what changed goes to stderr, and so does a warning for what the
// format requires but the study lacks, such as a site's country for SDTM). Where it goes follows the format
// and PATH: a zip when PATH ends in .zip; else one file (json, fhir: stdout without --out) or a
// folder (csv, redcap, sdtm: CODE-FORMAT/ without --out). Nothing is overwritten without --force.
import fs from 'node:fs/promises';
import { checkOutputFile, outOption, withOutputFile, writeOutputFolder } from './cli-files.ts';
import { parse, plural, UsageError, withDb } from './cli-support.ts';

/** Formats whose export is one file; the others are a folder of files. */
const SINGLE_FILE_FORMATS = new Set(['json', 'fhir']);

type Target = { kind: 'stdout' } | { kind: 'file' | 'zip' | 'folder'; path: string };

function targetOf(format: string, out: string | undefined): Target | null {
  if (out === undefined) return SINGLE_FILE_FORMATS.has(format) ? { kind: 'stdout' } : null;
  if (out.toLowerCase().endsWith('.zip')) return { kind: 'zip', path: out };
  return { kind: SINGLE_FILE_FORMATS.has(format) ? 'file' : 'folder', path: out };
}

const writeStdout = (text: string | Uint8Array) =>
  new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));

export async function runExportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    format: { type: 'string', default: 'json' },
    out: { type: 'string' },
    deidentify: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError('export needs exactly one study CODE');
  const service = await import('../services/format-service.ts');
  const format = values.format;
  if (!service.isExportFormat(format)) {
    throw new UsageError(`--format must be ${service.EXPORT_FORMATS.join(', ')} (got "${format}")`);
  }
  const out = outOption(values.out, SINGLE_FILE_FORMATS.has(format) ? 'file' : 'directory');
  const planned = targetOf(format, out);
  // Files are checked before the database opens, so a refusal costs nothing.
  if (planned?.kind === 'file' || planned?.kind === 'zip') await checkOutputFile(planned.path, values.force);

  const exported = await withDb((db) => service.exportStoredStudy(db, positionals[0]!, format, { deidentify: values.deidentify }));
  const target: Target = planned ?? { kind: 'folder', path: exported.name };
  const code = positionals[0]!;

  // What the closing message says was written: nothing for stdout.
  let written: string | null = null;
  if (target.kind === 'stdout') {
    await writeStdout(exported.files[0]!.content);
  } else if (target.kind === 'file') {
    await withOutputFile(target.path, values.force, (temporary) => fs.writeFile(temporary, exported.files[0]!.content));
    written = target.path;
  } else if (target.kind === 'zip') {
    const { zipFiles } = await import('../formats/archive.ts');
    const bytes = zipFiles(exported.name, exported.files, exported.createdAt);
    await withOutputFile(target.path, values.force, (temporary) => fs.writeFile(temporary, bytes));
    written = `${target.path} (${exported.name}/ with ${plural(exported.files.length, 'file')})`;
  } else {
    await writeOutputFolder(target.path, exported.files, values.force);
    written = `${target.path}: ${exported.files.map((file) => file.name).join(', ')}`;
  }

  if (exported.deidentification) console.error(service.formatDeidentificationReport(exported.deidentification));
  for (const warning of exported.warnings) console.error(`warning: ${warning.message}`);
  if (written !== null) {
    const label = [format === 'json' ? null : format, exported.deidentification ? 'de-identified' : null].filter(Boolean).join(', ');
    console.error(`wrote study ${code}${label === '' ? '' : ` (${label})`} to ${written}`);
  }
}
