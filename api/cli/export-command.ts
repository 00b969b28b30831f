// `smp export CODE [--format F] [--out PATH] [--deidentify] [--force]`: a stored study, read in
// one snapshot, as the bundle or in an interchange format, de-identified once with the study's
// key when asked (the report of what changed goes to stderr, and so does a warning for what the
// format requires but the study lacks, such as a site's country for SDTM). Where it goes follows the format
// and PATH: a zip when PATH ends in .zip; else one file (json, fhir: stdout without --out) or a
// folder (csv, redcap, sdtm: CODE-FORMAT/ without --out). Nothing is overwritten without --force.
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { ExportHeading } from '../services/export-stream-service.ts';
import { checkOutputFile, outOption, withOutputFile, withOutputFolder } from './cli-files.ts';
import { parse, plural, UsageError, withDb } from './cli-support.ts';

/** Formats whose export is one file; the others are a folder of files. */
const SINGLE_FILE_FORMATS = new Set(['json', 'fhir']);

type Target = { kind: 'stdout' } | { kind: 'file' | 'zip' | 'folder'; path: string };

function targetOf(format: string, out: string | undefined): Target | null {
  if (out === undefined) return SINGLE_FILE_FORMATS.has(format) ? { kind: 'stdout' } : null;
  if (out.toLowerCase().endsWith('.zip')) return { kind: 'zip', path: out };
  return { kind: SINGLE_FILE_FORMATS.has(format) ? 'file' : 'folder', path: out };
}

export async function runExportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    format: { type: 'string', default: 'json' },
    out: { type: 'string' },
    deidentify: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError('export needs exactly one study CODE');
  const service = await import('../services/export-formats.ts');
  const format = values.format;
  if (!service.isExportFormat(format)) {
    throw new UsageError(`--format must be ${service.EXPORT_FORMATS.join(', ')} (got "${format}")`);
  }
  const out = outOption(values.out, SINGLE_FILE_FORMATS.has(format) ? 'file' : 'directory');
  const planned = targetOf(format, out);
  // Files are checked before the database opens, so a refusal costs nothing.
  if (planned?.kind === 'file' || planned?.kind === 'zip') await checkOutputFile(planned.path, values.force);

  const code = positionals[0]!;
  const streaming = await import('../services/export-stream-service.ts');
  const sinks = await import('../formats/export-sink.ts');
  const options = { deidentify: values.deidentify };
  const target: Target = planned ?? { kind: 'folder', path: `${code}-${format}${values.deidentify ? '-deidentified' : ''}` };
  // The files written, for the closing message.
  let names: readonly string[] = [];
  /** The export streamed into a file (one file, or a zip of the folder) as it is read. */
  const intoFile = (file: string, zip: boolean) =>
    withDb(async (db) => {
      const stream = createWriteStream(file);
      try {
        const sink = sinks.writableSink(stream);
        return await streaming.streamStoredStudy(db, code, format, options, (heading) => {
          if (!zip) return sinks.singleFileTarget(sink);
          const archive = sinks.zipTarget(heading.name, heading.createdAt, sink);
          names = archive.names;
          return archive;
        });
      } finally {
        stream.end();
        await finished(stream);
      }
    });

  // What the closing message says was written: nothing for stdout.
  let written: string | null = null;
  let exported: ExportHeading;
  if (target.kind === 'stdout') {
    exported = await withDb((db) => streaming.streamStoredStudy(db, code, format, options, () => sinks.singleFileTarget(sinks.writableSink(process.stdout))));
  } else if (target.kind === 'file') {
    exported = await withOutputFile(target.path, values.force, (temporary) => intoFile(temporary, false));
    written = target.path;
  } else if (target.kind === 'zip') {
    exported = await withOutputFile(target.path, values.force, (temporary) => intoFile(temporary, true));
    written = `${target.path} (${exported.name}/ with ${plural(names.length, 'file')})`;
  } else {
    exported = await withDb(async (db) => {
      let heading: ExportHeading | undefined;
      await withOutputFolder(target.path, values.force, async (temporary) => {
        const folder = sinks.folderTarget(temporary);
        heading = await streaming.streamStoredStudy(db, code, format, options, () => folder);
        return folder.names;
      }).then((paths) => (names = paths.map((file) => path.basename(file))));
      return heading!;
    });
    written = `${target.path}: ${names.join(', ')}`;
  }

  if (exported.deidentification) console.error(service.formatDeidentificationReport(exported.deidentification));
  for (const warning of exported.warnings) console.error(`warning: ${warning.message}`);
  if (written !== null) {
    const label = [format === 'json' ? null : format, exported.deidentification ? 'de-identified' : null].filter(Boolean).join(', ');
    console.error(`wrote study ${code}${label === '' ? '' : ` (${label})`} to ${written}`);
  }
}
