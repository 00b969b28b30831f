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
 * What an import says of a zip archive that cannot be read (cut short in a download, or its
 * directory corrupted), after the file's name: never a parser's message about its bytes.
 *
 * @param reason the zip reader's words, kept in brackets for whoever looks further
 */
export function damagedZipMessage(reason: string): string {
  return `is damaged: it cannot be read as a zip archive (${reason}); export the study again, or zip the folder again, and import the new file`;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/**
 * Why a zip archive's structure cannot be trusted, or null when it holds together: its end
 * record (cut off when a download stops short), and each entry of its central directory with
 * the local header it points to. The zip reader does not check these, and reads garbage sizes
 * from a corrupt directory. A zip64 archive is left to the reader.
 */
export function zipStructureProblem(bytes: Uint8Array): string | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => (at + 4 <= bytes.length ? view.getUint32(at, true) : -1);
  const u16 = (at: number) => (at + 2 <= bytes.length ? view.getUint16(at, true) : -1);
  // The end record is the last 22 bytes, before a comment of up to 65,535.
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (u32(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return 'its end is missing: the file was cut short';
  const count = u16(end + 10);
  const size = u32(end + 12);
  const offset = u32(end + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) return null;
  if (offset + size > end) return 'its table of contents points past the end of the file';
  let at = offset;
  for (let entry = 0; entry < count; entry++) {
    if (u32(at) !== DIRECTORY_ENTRY) return 'its table of contents is corrupt';
    const local = u32(at + 42);
    if (u32(local) !== LOCAL_HEADER) return 'its table of contents points to no file';
    at += 46 + u16(at + 28) + u16(at + 30) + u16(at + 32);
  }
  return null;
}

/**
 * The files of a zip archive. A single folder that holds everything is dropped from the names
 * (`SMP-2021-csv/sessions.csv` → `sessions.csv`); deeper folders are kept, so that a misplaced
 * file is reported by its path. An archive that cannot be read is `damaged`, with the reader's reason.
 */
export function unzipFiles(name: string, bytes: Uint8Array): { files: FormatFile[]; problems: LocatedProblem[]; damaged?: string } {
  // Bytes that do not even start as a zip are something else, not a damaged archive.
  if (!(bytes[0] === 0x50 && bytes[1] === 0x4b)) {
    return { files: [], problems: [locatedProblem(name, null, null, 'is not a zip archive: give the zip of an export, or the files it holds')] };
  }
  const broken = zipStructureProblem(bytes);
  if (broken !== null) return { files: [], problems: [locatedProblem(name, null, null, damagedZipMessage(broken))], damaged: broken };
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
    const reason = (error as Error).message;
    return { files: [], problems: [locatedProblem(name, null, null, damagedZipMessage(reason))], damaged: reason };
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
