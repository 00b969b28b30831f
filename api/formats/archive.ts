// Zip archives of an export's files, and the files of an uploaded zip. fflate does the
// (de)compression; here: one folder inside the archive, fixed timestamps so that an archive is
// reproducible, and the clutter archivers add (folders, __MACOSX, .DS_Store) left out on read.
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { locatedProblem, type FormatFile, type LocatedProblem } from './types.ts';

/** The most an uploaded archive may hold once unpacked: far above any study, far below the memory. */
export const MAX_UNZIPPED_BYTES = 512 * 1024 * 1024;

const encoder = new TextEncoder();
export const bytesOf = (content: string | Uint8Array) => (typeof content === 'string' ? encoder.encode(content) : content);

/**
 * A zip archive with every file inside `folder/`.
 *
 * @param mtime the time stamped on every entry (the export's creation time), so that the same
 *   export gives the same bytes
 */
export function zipFiles(folder: string, files: readonly FormatFile[], mtime: Date): Uint8Array {
  const entries: Zippable = {};
  for (const file of files) entries[`${folder}/${file.name}`] = [bytesOf(file.content), { mtime }];
  return zipSync(entries, { level: 6 });
}

/**
 * The files of a zip archive. A single folder that holds everything is dropped from the names
 * (`SMP-2021-csv/sessions.csv` → `sessions.csv`); deeper folders are kept, so that a misplaced
 * file is reported by its path.
 */
export function unzipFiles(name: string, bytes: Uint8Array): { files: FormatFile[]; problems: LocatedProblem[] } {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        total += file.originalSize;
        // Past the limit nothing more is unpacked: fflate allocates each entry's stated size up front.
        if (total > MAX_UNZIPPED_BYTES) return false;
        return !file.name.endsWith('/') && !file.name.startsWith('__MACOSX/') && !/(^|\/)\.DS_Store$/.test(file.name);
      },
    });
  } catch (error) {
    return { files: [], problems: [locatedProblem(name, null, null, `is not a readable zip archive (${(error as Error).message})`)] };
  }
  if (total > MAX_UNZIPPED_BYTES) {
    return { files: [], problems: [locatedProblem(name, null, null, `unpacks to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MiB`)] };
  }
  const names = Object.keys(entries);
  const top = names[0]?.split('/')[0];
  const oneFolder = top !== undefined && names.every((entry) => entry.includes('/') && entry.split('/')[0] === top);
  return {
    files: names.map((entry) => ({ name: oneFolder ? entry.slice(top!.length + 1) : entry, content: entries[entry]! })),
    problems: [],
  };
}
