#!/usr/bin/env node
// The `smp` command. It runs the build in dist/ that `npm install` made (api/bin/build.js). In a
// checkout whose sources changed since, it rebuilds first (a fraction of a second), so nobody
// runs old code by mistake; where dist/ cannot be written, the sources run through tsx.
import { pathToFileURL } from 'node:url';
import { build, freshEntry } from './build.js';

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
