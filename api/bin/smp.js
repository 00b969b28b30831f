#!/usr/bin/env node
// The `smp` command. Node 20 cannot run TypeScript by itself, so the CLI loads through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
