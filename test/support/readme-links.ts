// Relative links between the Markdown files of the repository, followed the way GitHub does: a
// link's file must exist, and its `#anchor` must be a heading of the target (GitHub's slugs:
// lower case, punctuation dropped, spaces to hyphens, repeats numbered -1, -2 …).
import fs from 'node:fs';
import path from 'node:path';

/** A link that leads nowhere: where it is, what it points at, and why it fails. */
export interface BrokenLink {
  file: string;
  line: number;
  target: string;
  reason: string;
}

/** GitHub's anchor for a heading's text: inline code, emphasis and link targets are dropped first. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\p{M}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): Array<{ line: number; text: string }> {
  const lines: Array<{ line: number; text: string }> = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, index) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(text);
    if (opening) {
      const marker = opening[1]!;
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker.startsWith(fence)) fence = null;
      return;
    }
    if (fence === null) lines.push({ line: index + 1, text });
  });
  return lines;
}

/** Every anchor the headings of a Markdown text make, repeats numbered as GitHub numbers them. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug);
    seen.set(slug, (count ?? -1) + 1);
    anchors.add(count === undefined ? slug : `${slug}-${count + 1}`);
  }
  return anchors;
}

/** The relative link targets of a Markdown text (not in code), with their line numbers. */
export function relativeLinks(markdown: string): Array<{ line: number; target: string }> {
  // Code blocks become empty lines and code spans spaces, so that offsets keep their line numbers;
  // a link's text may run over a line break.
  const prose = new Map(proseLines(markdown).map(({ line, text }) => [line, text]));
  const text = markdown
    .split('\n')
    .map((_, index) => prose.get(index + 1) ?? '')
    .join('\n')
    .replace(/`[^`]*`/g, (code) => code.replace(/[^\n]/g, ' '));
  const links: Array<{ line: number; target: string }> = [];
  for (const match of text.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
    const line = text.slice(0, match.index).split('\n').length;
    links.push({ line, target });
  }
  return links;
}

/**
 * The broken links of the Markdown files `files` (paths relative to `root`, read through `read`):
 * a target file that does not exist, or an anchor that is no heading of a Markdown target.
 */
export function brokenLinks(
  root: string,
  files: readonly string[],
  read: (file: string) => string | undefined = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined),
  isFile: (file: string) => boolean = (file) => fs.existsSync(file),
): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const text = read(path.join(root, file));
    if (text === undefined) throw new Error(`${file} cannot be read`);
    for (const { line, target } of relativeLinks(text)) {
      const hash = target.indexOf('#');
      const filePart = decodeURI(hash < 0 ? target : target.slice(0, hash));
      const anchor = hash < 0 ? null : decodeURIComponent(target.slice(hash + 1));
      const resolved = filePart === '' ? path.join(root, file) : path.join(root, path.dirname(file), filePart);
      if (filePart !== '' && !isFile(resolved)) {
        broken.push({ file, line, target, reason: `${path.relative(root, resolved)} does not exist` });
        continue;
      }
      if (anchor === null || anchor === '') continue;
      if (!resolved.endsWith('.md')) {
        broken.push({ file, line, target, reason: 'an anchor into a file that is not Markdown cannot be checked' });
        continue;
      }
      const targetText = read(resolved);
      if (targetText === undefined || !headingAnchors(targetText).has(anchor)) {
        broken.push({ file, line, target, reason: `no heading of ${path.relative(root, resolved)} has the anchor #${anchor}` });
      }
    }
  }
  return broken;
}

/** Folders that hold no documentation of ours: installed packages, builds, data and outputs. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', '.stryker-tmp', 'data', 'out']);

/** Every README.md under `root` (relative paths, sorted), outside installed packages and builds. */
export function readmeFiles(root: string, folder = ''): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, folder), { withFileTypes: true })) {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) found.push(...readmeFiles(root, relative));
    } else if (entry.name === 'README.md') {
      found.push(relative);
    }
  }
  return found.sort();
}
