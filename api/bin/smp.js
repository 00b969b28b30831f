#!/usr/bin/env node
// The `smp` command. Node 20 cannot run TypeScript itself, and loading ~100 modules through a
// TypeScript loader costs over a second per command, so the CLI's own sources are bundled with
// esbuild into node_modules/.cache/smp and rebuilt whenever one of them changes. Packages stay
// external and load as usual. If the cache cannot be written, the sources run through tsx.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cacheDir = path.join(root, 'node_modules', '.cache', 'smp');
const manifestFile = path.join(cacheDir, 'manifest.json');

const stamp = (file) => {
  const stat = fs.statSync(path.join(root, file));
  return `${stat.mtimeMs}:${stat.size}`;
};

/** The cached bundle's entry file, if every source it was built from is unchanged. */
function cachedEntry() {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    for (const [file, recorded] of Object.entries(manifest.inputs)) if (stamp(file) !== recorded) return null;
    const entry = path.join(cacheDir, manifest.build, 'cli.js');
    return fs.existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

// Each source keeps its own import.meta.url, so paths relative to a module still resolve.
const keepImportMeta = {
  name: 'keep-import-meta',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const dirname = JSON.stringify(path.dirname(args.path));
      return {
        contents: source.replaceAll('import.meta.url', url).replaceAll('import.meta.dirname', dirname),
        loader: 'ts',
      };
    });
  },
};

async function buildEntry() {
  const esbuild = await import('esbuild');
  fs.mkdirSync(cacheDir, { recursive: true });
  const build = `build-${process.pid}-${Date.now().toString(36)}`;
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { cli: 'api/cli.ts' },
    outdir: path.join(cacheDir, build),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    plugins: [keepImportMeta],
  });
  const inputs = Object.fromEntries(Object.keys(result.metafile.inputs).map((file) => [file, stamp(file)]));
  const temporary = `${manifestFile}.${process.pid}`;
  fs.writeFileSync(temporary, JSON.stringify({ build, inputs }));
  fs.renameSync(temporary, manifestFile);
  // Earlier builds are no longer referenced; a process still running one keeps its open files.
  for (const name of fs.readdirSync(cacheDir)) {
    if (name.startsWith('build-') && name !== build) fs.rmSync(path.join(cacheDir, name), { recursive: true, force: true });
  }
  return path.join(cacheDir, build, 'cli.js');
}

let entry = cachedEntry();
if (entry === null) {
  try {
    entry = await buildEntry();
  } catch {
    entry = null;
  }
}
if (entry !== null) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli.ts');
}
