#!/usr/bin/env node
// Builds the `smp` command into dist/ (npm's `prepare` step, so `npm install` and `npm ci` leave
// it ready). Node 20 cannot run TypeScript, and loading the sources and the packages' hundreds of
// small modules one by one cost most of a command's time, so esbuild bundles them into a few
// files, split so that each command loads only what it uses. Packages that carry files of their
// own (PGlite's WASM, canvas's native addon, esbuild's binary) stay external.
// dist/manifest.json records every source's size and time stamp: api/bin/smp.js rebuilds when
// one has changed, so a checkout never runs stale code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
export const MANIFEST = path.join(DIST, 'manifest.json');

/** Files outside the bundle's inputs that change what it contains (package versions, this build). */
const EXTRA_INPUTS = ['package.json', 'package-lock.json', 'api/bin/build.js'];
const EXTERNAL = ['@electric-sql/pglite', '@napi-rs/canvas', 'esbuild', 'tsx', 'pg-native', 'pg-cloudflare', 'playwright-core'];
/** Unreferenced files of earlier builds are removed once this old (a running process may still load one). */
const STALE_CHUNK_AGE_MS = 24 * 60 * 60 * 1000;

export function stamp(file) {
  const stat = fs.statSync(path.join(ROOT, file));
  return `${stat.mtimeMs}:${stat.size}`;
}

/** A source's stamp, or one that never matches when it changed while the build read it. */
function stampIfUnchangedSince(file, since) {
  const stat = fs.statSync(path.join(ROOT, file));
  return stat.mtimeMs >= since ? 'changed-during-build' : `${stat.mtimeMs}:${stat.size}`;
}

/** The built entry file, or null when dist/ is missing or any source changed since it was built. */
export function freshEntry() {
  try {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
    for (const [file, recorded] of Object.entries(manifest.inputs)) if (stamp(file) !== recorded) return null;
    const entry = path.join(DIST, manifest.entry);
    return fs.existsSync(entry) ? entry : null;
  } catch {
    return null;
  }
}

// Each source keeps its own import.meta.url, so paths relative to a module (the demo bundle, the
// web page, chart.js's browser build) still resolve from the sources' directories.
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

// pg asks whether it runs in a Cloudflare Worker by making a fetch Response, and on Node 20,
// which has no `navigator`, the first Response loads Node's fetch (undici): 150-200 ms of every
// command that opens PostgreSQL. Node is no Worker; the bundle skips the question. Should a pg
// release word it otherwise, the text is left as it is, and costs only that time.
const PG_RUNTIME_PROBE = "typeof Response === 'function'";
const skipCloudflareProbe = {
  name: 'skip-cloudflare-probe',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => ({
      contents: fs.readFileSync(args.path, 'utf8').replace(PG_RUNTIME_PROBE, 'false'),
      loader: 'js',
    }));
  },
};

function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents);
  fs.renameSync(temporary, file);
}

/**
 * Bundle api/cli/cli.ts into dist/. With `clean`, dist/ is emptied first (install time); otherwise
 * files are replaced atomically, so a process starting meanwhile loads the old build or the new.
 */
export async function build({ clean = false } = {}) {
  const esbuild = await import('esbuild');
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { cli: 'api/cli/cli.ts' },
    outdir: DIST,
    write: false,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    // Bundled CommonJS packages (express, pg) call require() for Node's own modules.
    banner: { js: "import { createRequire as __smpRequire } from 'node:module'; const require = __smpRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'silent',
    plugins: [keepImportMeta, skipCloudflareProbe],
  });
  if (clean) fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(DIST, { recursive: true });
  const written = new Set();
  for (const output of result.outputFiles) {
    writeAtomically(output.path, output.contents);
    written.add(path.basename(output.path));
  }
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  const inputs = Object.fromEntries([...sources, ...EXTRA_INPUTS].map((file) => [file, stampIfUnchangedSince(file, started)]));
  writeAtomically(MANIFEST, JSON.stringify({ entry: 'cli.js', inputs }, null, 1));
  written.add(path.basename(MANIFEST));
  const now = Date.now();
  for (const name of fs.readdirSync(DIST)) {
    const file = path.join(DIST, name);
    const stat = fs.statSync(file);
    if (!written.has(name) && stat.isFile() && now - stat.mtimeMs > STALE_CHUNK_AGE_MS) fs.rmSync(file, { force: true });
  }
  return path.join(DIST, 'cli.js');
}

const WEB_DIST = path.join(DIST, 'web');
const WEB_MANIFEST = path.join(WEB_DIST, 'manifest.json');

/** The built web application's script, or null when it is missing or a source changed since. */
export function freshWebBundle() {
  try {
    const manifest = JSON.parse(fs.readFileSync(WEB_MANIFEST, 'utf8'));
    for (const [file, recorded] of Object.entries(manifest.inputs)) if (stamp(file) !== recorded) return null;
    return fs.readFileSync(path.join(WEB_DIST, 'app.js'), 'utf8');
  } catch {
    return null;
  }
}

/**
 * Bundle the web application (web/app/main.tsx with Preact, chart.js and the shared zod schemas)
 * into dist/web/app.js, and the participant's survey page into dist/web/survey.js, minified, for
 * the browser. Returns the application's script.
 */
export async function buildWeb() {
  const esbuild = await import('esbuild');
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    // The staff application, and the participant's survey page (web/survey/), a script of its own.
    entryPoints: { app: 'web/app/main.tsx', survey: 'web/survey/main.ts' },
    outdir: WEB_DIST,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  fs.mkdirSync(WEB_DIST, { recursive: true });
  for (const output of result.outputFiles) writeAtomically(output.path, output.text);
  const script = result.outputFiles.find((output) => path.basename(output.path) === 'app.js').text;
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  const inputs = Object.fromEntries([...sources, ...EXTRA_INPUTS].map((file) => [file, stampIfUnchangedSince(file, started)]));
  writeAtomically(WEB_MANIFEST, JSON.stringify({ inputs }, null, 1));
  return script;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await build({ clean: true });
  await buildWeb();
  console.error(`built the smp command and the web application into dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
