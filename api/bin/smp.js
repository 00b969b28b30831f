#!/usr/bin/env node
// The `smp` command. It runs the build in dist/ that `npm install` made (api/bin/build.js). In a
// checkout whose sources changed since, it rebuilds first (a fraction of a second), so nobody
// runs old code by mistake; where dist/ cannot be written, the sources run through tsx.
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { build, freshEntry } from './build.js';

// The embedded database is PostgreSQL compiled to WebAssembly. V8 compiles it with its baseline
// compiler (Liftoff), then compiles the hot functions again, optimised, on background threads.
// A command that lasts seconds pays for that and gains nothing: measured on 2 cores, a warm
// `smp studies` took 1.35 s, 1.9 s of CPU and 240 MB with it, 0.95 s, 1.0 s and 145 MB
// without, and importing 20,000 participants or analysing them was no slower. `smp serve`,
// which runs for long, keeps the optimising compiler.
if (process.argv[2] !== 'serve') v8.setFlagsFromString('--liftoff-only');

let entry = freshEntry();
if (entry === null) {
  try {
    entry = await build();
  } catch (error) {
    if (process.env.SMP_DEBUG) console.error('smp: could not build dist/, running the sources through tsx:', error);
    entry = null;
  }
}
if (entry !== null) {
  await import(pathToFileURL(entry).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/cli.ts');
}
