// Entry of the chart-answer worker thread. A worker does not inherit the TypeScript loader of
// the process that starts it (the bundled `smp` command has none), so it registers tsx here and
// then runs the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./chart-answer-worker.ts');
