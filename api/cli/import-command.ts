// `smp import`: a study bundle (FILE.json), or csv or REDCap files: a folder, a zip, or REDCap's
// files named one by one; the format is detected from the files unless --format names it.
// `--code` imports it as a new study under another code. A file of another format than the one
// named, a file no import reads, and a damaged zip are refused with what they are and what to do
// instead. The files are read and checked before the database
// opens; the problems are printed with their locations (file:row:column, exit 2), the first
// 1,000 and a count of the rest as for a bundle, and nothing is written. A valid study is loaded
// as one transaction, like a bundle.
import fs from 'node:fs/promises';
import path from 'node:path';
import { checkInputFile } from './cli-files.ts';
import { parse, plural, UsageError, withDb } from './cli-support.ts';
import { AppError } from '../errors.ts';
import type { DetectedFile } from '../formats/detect-format.ts';
import type { ImportSource } from '../formats/read-import.ts';
import { readJsonFileKeysLater } from '../json-input.ts';
import type { ImportResult } from '../schemas/responses.ts';
import { runInTurns } from '../services/in-turns.ts';
import type { ImportProgress } from '../services/study-bundle-service.ts';

const FORMATS = ['json', 'csv', 'redcap'] as const;
type Format = (typeof FORMATS)[number];
/** The options that name REDCap's files one by one. */
const REDCAP_FILE_OPTIONS = ['dictionary', 'data', 'study', 'mapping'] as const;
type RedcapFileOption = (typeof REDCAP_FILE_OPTIONS)[number];

/** A code given by --code that is taken: replacing that study is seldom what was meant. */
const CODE_CONFLICT_HINT = 'choose another --code, or add --replace to replace that study';

/** Progress on stderr when it is a terminal: one line, rewritten as the import goes on. */
function progressLine(): { say(text: string): void; done(): void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  return {
    say: (text) => process.stderr.write(`\r\x1b[K${text}`),
    done: () => process.stderr.write('\r\x1b[K'),
  };
}

/** A zip archive starts with a local file header, or (empty) with the end of its directory. */
const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);

/** Refuse (exit 2) a file or folder that `format` does not read, saying what it is and which format reads it. */
async function refuseWrongFile(target: string, format: Format, source: ImportSource | { file: Uint8Array }): Promise<void> {
  const { damagedZipPointer, detectFile, detectFiles, wrongFilePointer } = await import('../services/format-service.ts');
  const detected =
    'file' in source
      ? detectFile({ name: path.basename(target), content: source.file })
      : 'zip' in source
        ? detectFile({ name: path.basename(target), content: source.zip })
        : 'files' in source
          ? ((inside) => ({ ...inside, what: `a folder of ${inside.what.replace(/^files of /, '')}` }))(detectFiles(source.files))
          : null;
  const damaged = damagedZipPointer(target, detected);
  if (damaged !== null) throw new AppError('validation', damaged);
  const pointer = detected === null ? null : wrongFilePointer(detected, format, 'command-line');
  if (pointer !== null) throw new AppError('validation', `${target}: ${pointer}`);
}

/**
 * The format of PATH for `smp import PATH` without --format, told from its files: a bundle, or a
 * csv or REDCap export as a folder or zip. Refused (exit 2) with what it is and what to do
 * instead when no import reads it, or when it is one file of an export that comes as several.
 */
async function detectFormat(target: string): Promise<Format> {
  const stat = await fs.stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('validation', `${target}: no such file or folder`);
    throw error;
  });
  const { damagedZipPointer, detectFile, detectFiles, readImportPath, unreadablePointer } = await import('../services/format-service.ts');
  let detected: DetectedFile;
  let zip = false;
  if (stat.isDirectory()) {
    const source = await readImportPath(target);
    const files = 'files' in source ? source.files : [];
    if (files.length === 0) throw new AppError('validation', `${target}: the folder holds no files: give a study bundle (FILE.json), or the folder or zip of a csv or REDCap export`);
    // A folder that holds a bundle goes to the json import, which asks for the file itself.
    detected = detectFiles(files);
  } else {
    const bytes = await firstBytes(target);
    zip = isZip(bytes);
    detected = detectFile({ name: path.basename(target), content: zip ? new Uint8Array(await fs.readFile(target)) : bytes });
  }
  const damaged = damagedZipPointer(target, detected);
  if (damaged !== null) throw new AppError('validation', damaged);
  if (detected.format === null) {
    // A .json file that is no known document goes to the bundle's reader, which says what is wrong with it.
    if (!stat.isDirectory() && detected.advice === undefined && target.toLowerCase().endsWith('.json')) return 'json';
    throw new AppError('validation', `${target}: ${unreadablePointer(detected)}`);
  }
  if (detected.format !== 'json' && !stat.isDirectory() && !zip) {
    const byName = detected.format === 'redcap' ? ', or name its files with --format redcap --dictionary DICT.csv --data DATA.csv' : '';
    throw new AppError('validation', `${target}: This looks like ${detected.what}, one file of an export: give the folder that holds all of its files, or a zip of it${byName}`);
  }
  return detected.format;
}

/** The first 4 KiB of a file (enough to tell what it is), after checking that it is a file. */
async function firstBytes(file: string): Promise<Uint8Array> {
  await checkInputFile(file);
  const handle = await fs.open(file, 'r');
  try {
    const first = new Uint8Array(4096);
    const { bytesRead } = await handle.read(first, 0, first.length, 0);
    return first.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The files of a folder or a zip archive, refused (exit 2) when PATH is neither, or holds another format's files. */
async function folderOrZip(target: string, format: Format): Promise<ImportSource> {
  const stat = await fs.stat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new AppError('validation', `${target}: no such file or folder`);
    throw error;
  });
  if (stat.isDirectory()) {
    const { readImportPath } = await import('../services/format-service.ts');
    const source = await readImportPath(target);
    await refuseWrongFile(target, format, source);
    return source;
  }
  const bytes = new Uint8Array(await fs.readFile(target));
  if (!isZip(bytes)) {
    await refuseWrongFile(target, format, { file: bytes });
    throw new AppError('validation', `${target} is neither a folder nor a zip archive: give the folder that holds the ${format} files, or a zip of it`);
  }
  const source = { zip: bytes, name: path.basename(target) };
  await refuseWrongFile(target, format, source);
  return source;
}

/** A bundle file for `smp import FILE.json`, refused with a pointer when it is a folder, a zip or another format's file. */
async function bundleFile(file: string): Promise<void> {
  const stat = await fs.stat(file).catch(() => null);
  if (stat?.isDirectory()) {
    const { readImportPath } = await import('../services/format-service.ts');
    await refuseWrongFile(file, 'json', await readImportPath(file));
  }
  const first = await firstBytes(file);
  // A zip is looked into whole, to say which export it holds.
  await refuseWrongFile(file, 'json', { file: isZip(first) ? new Uint8Array(await fs.readFile(file)) : first });
}

/** REDCap's files named by --dictionary, --data, --study and --mapping; problems name them as given. */
async function redcapFiles(paths: Partial<Record<RedcapFileOption, string>>): Promise<ImportSource> {
  const read = async (file: string) => {
    if (file.trim() === '') throw new UsageError('a REDCap file option needs a file name (got an empty string)');
    await checkInputFile(file);
    return { name: file, content: new Uint8Array(await fs.readFile(file)) };
  };
  return {
    redcap: true,
    dictionary: await read(paths.dictionary!),
    data: await read(paths.data!),
    ...(paths.study === undefined ? {} : { study: await read(paths.study) }),
    ...(paths.mapping === undefined ? {} : { mapping: await read(paths.mapping) }),
  };
}

export async function runImportCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    format: { type: 'string' },
    replace: { type: 'boolean', default: false },
    dictionary: { type: 'string' },
    data: { type: 'string' },
    study: { type: 'string' },
    mapping: { type: 'string' },
    code: { type: 'string' },
  });
  const chosen = values.format as Format | undefined;
  if (chosen !== undefined && !FORMATS.includes(chosen)) throw new UsageError(`--format must be json, csv or redcap (got "${values.format}")`);
  if (values.code !== undefined) {
    if (values.code.trim() === '') throw new UsageError('--code needs a study code (got an empty string)');
    const { Study } = await import('../schemas/bundle.ts');
    const checked = Study.shape.code.safeParse(values.code);
    if (!checked.success) throw new AppError('validation', `--code: ${checked.error.issues[0]!.message}`);
  }
  const named = REDCAP_FILE_OPTIONS.filter((option) => values[option] !== undefined);
  // REDCap's files named one by one are REDCap's; beside a PATH without --format they are refused.
  if (named.length > 0 && (chosen === undefined ? positionals.length > 0 : chosen !== 'redcap')) throw new UsageError(`--${named[0]} is for --format redcap`);
  // One PATH without --format is told by its files.
  const format = chosen ?? (named.length > 0 ? 'redcap' : positionals.length === 1 ? await detectFormat(positionals[0]!) : undefined);
  if (format === undefined) {
    throw new UsageError('import needs one PATH: a study bundle (FILE.json), or the folder or zip of a csv or REDCap export');
  }
  const progress = progressLine();
  try {
    await importStudyFrom(format, positionals, values, named, progress);
  } finally {
    progress?.done();
  }
}

async function importStudyFrom(
  format: Format,
  positionals: string[],
  values: { replace: boolean; code?: string | undefined } & Partial<Record<RedcapFileOption, string>>,
  named: readonly RedcapFileOption[],
  progress: ReturnType<typeof progressLine>,
): Promise<void> {
  let input: unknown;
  let keyCheck: (() => Promise<void>) | undefined;
  if (format === 'json') {
    if (positionals.length !== 1) throw new UsageError('import needs exactly one FILE.json');
    const file = positionals[0]!;
    await bundleFile(file);
    progress?.say(`reading ${file} (${((await fs.stat(file)).size / 1e6).toFixed(1)} MB)…`);
    // The check that no key repeats is a pass over the whole text: it starts once the bundle
    // is known to be valid and runs while the last rows are written, and the import commits
    // only once it has passed.
    const read = await readJsonFileKeysLater(file);
    input = read.value;
    let checking: Promise<void> | undefined;
    keyCheck = () =>
      (checking ??= runInTurns(read.keyCheck).then((error) => {
        if (error) throw error;
      }));
  } else {
    let source: ImportSource;
    if (format === 'redcap' && named.length > 0) {
      if (positionals.length > 0) {
        throw new UsageError('give REDCap files either as one folder or zip, or by --dictionary and --data, not both');
      }
      const missing = (['dictionary', 'data'] as const).filter((option) => values[option] === undefined);
      if (missing.length > 0) {
        throw new UsageError(`REDCap files given one by one need --dictionary DICT.csv and --data DATA.csv (missing --${missing.join(' and --')})`);
      }
      source = await redcapFiles(values);
    } else {
      if (positionals.length !== 1) {
        throw new UsageError(
          format === 'csv'
            ? 'import --format csv needs exactly one PATH: the folder of the csv tables, or a zip of it'
            : 'import --format redcap needs one PATH (a folder or zip), or --dictionary DICT.csv --data DATA.csv',
        );
      }
      progress?.say(`reading ${positionals[0]}…`);
      source = await folderOrZip(positionals[0]!, format);
    }
    progress?.say(`checking the ${format} files…`);
    const { parseImport } = await import('../services/format-service.ts');
    input = parseImport(format, source);
  }
  await loadStudy(input, { replace: values.replace, ...(values.code === undefined ? {} : { code: values.code }), keyCheck }, progress);
}

/** Load a bundle (parsed, not yet validated) as one transaction, and print what was loaded. */
async function loadStudy(
  input: unknown,
  { replace, code, keyCheck }: { replace: boolean; code?: string; keyCheck?: (() => Promise<void>) | undefined },
  progress: ReturnType<typeof progressLine>,
): Promise<void> {
  const { importBundle } = await import('../services/study-bundle-service.ts');
  await withDb(async (db) => {
    const participants = (input as { participants?: unknown })?.participants;
    progress?.say(`validating${Array.isArray(participants) ? ` ${plural(participants.length, 'participant')}` : ''}…`);
    const onProgress = progress
      ? (step: ImportProgress) =>
          progress.say(
            step.tablesDone === step.tablesTotal
              ? 'committing…'
              : `loading ${step.tablesDone}/${step.tablesTotal}: ${plural(step.rows, step.table.replace(/_/g, ' '))}`,
          )
      : undefined;
    try {
      let result: ImportResult;
      try {
        result = await importBundle(db, input, {
          replace,
          ...(code === undefined ? {} : { code: code, conflictHint: CODE_CONFLICT_HINT }),
          ...(onProgress ? { onProgress } : {}),
          ...(keyCheck ? { afterValidation: () => void keyCheck().catch(() => {}), beforeCommit: keyCheck } : {}),
        });
      } catch (error) {
        // A repeated key is what reading the file says, before anything about its content.
        await keyCheck?.();
        throw error;
      }
      progress?.done();
      const counts = Object.entries(result.counts)
        .map(([table, count]) => plural(count, table.replace(/_/g, ' ')))
        .join(', ');
      console.log(`${result.replaced ? 'replaced' : 'imported'} study ${result.code}: ${counts}`);
    } finally {
      progress?.done();
    }
  });
}
