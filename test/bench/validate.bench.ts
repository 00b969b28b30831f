// Benchmark: bundle validation time as one participant's records grow 1k → 10k → 100k, for
// sessions, adverse events (each naming a session) and invalid surveys (one problem each).
// Linear work shows as ~10× per 10× step; the old quadratic rules showed ~100×.
//   npm run bench:validate [-- --runs 3]
import { parseArgs } from 'node:util';
import type { StudyBundleInput } from '../../api/schemas/bundle.ts';
import { validateBundle } from '../../api/schemas/validate-bundle.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const SIZES = [1_000, 10_000, 100_000];

const day = (n: number) => new Date(Date.UTC(1900, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

function bundleWith(participant: Record<string, unknown>): StudyBundleInput {
  return {
    format: 'smp-study-bundle/1',
    study: {
      code: 'BENCH-VALIDATE',
      title: 'Validation benchmark',
      protocol: { initialSessions: 3, sessionIntervalDays: 7, followUpMonths: { from: 7, to: 32 } },
    },
    sites: [{ code: 'S1', name: 'Site 1' }],
    practitioners: [{ code: 'PR-1', site: 'S1', yearsExperience: 5 }],
    participants: [
      {
        code: 'P1', site: 'S1', sex: 'male', birthYear: 1900, indication: 'scar', keloidHistory: false,
        enrolledOn: day(0), ...participant,
      } as never,
    ],
  };
}

const session = (i: number) => ({
  number: i + 1, kind: 'initial', date: day(1 + (i % 70_000)), durationMinutes: 60, practitioner: 'PR-1', pigmentLot: 'L1', anesthesia: 'none',
});

/** Each case: one participant with n records of a kind. Over 1,000 sessions, numbers are out of range. */
const CASES: Record<string, (n: number) => StudyBundleInput> = {
  sessions: (n) => bundleWith({ sessions: Array.from({ length: n }, (_, i) => session(i)) }),
  'adverse events (1,000 sessions)': (n) =>
    bundleWith({
      sessions: Array.from({ length: 1000 }, (_, i) => session(i)),
      adverseEvents: Array.from({ length: n }, (_, i) => ({
        category: 'infection', term: 'Redness', onsetDate: day(1001 + (i % 1000)), resolvedDate: null, grade: 1,
        serious: false, relatedness: 'possible', outcome: 'recovered', sessionNumber: 1 + (i % 1000),
      })),
    }),
  'invalid surveys (one problem each)': (n) =>
    bundleWith({
      sessions: [session(0)],
      surveys: Array.from({ length: n }, (_, i) => ({ date: day(2 + (i % 1000)), satisfaction: 0 })),
    }),
};

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`validation time, median of ${runs} (noisy on a shared machine)\n`);
for (const [name, make] of Object.entries(CASES)) {
  const times: number[] = [];
  for (const size of SIZES) {
    const bundle = make(size);
    const samples: number[] = [];
    let summary = '';
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const result = validateBundle(bundle);
      samples.push(performance.now() - start);
      const count = result.ok ? 0 : result.problems.length + result.problemsOmitted;
      summary = result.ok ? 'valid' : `${count.toLocaleString('en')} problems (${result.problems.length} reported)`;
    }
    const ms = median(samples);
    const ratio = times.length > 0 ? `  ×${(ms / times[times.length - 1]!).toFixed(1)} for ×10` : '';
    times.push(ms);
    console.log(`${name.padEnd(36)} ${size.toLocaleString('en').padStart(7)}: ${ms.toFixed(0).padStart(6)} ms  ${summary}${ratio}`);
  }
  console.log(`${''.padEnd(36)} ratio 100k/1k: ×${(times[2]! / times[0]!).toFixed(0)} (linear ≈ ×100, quadratic ≈ ×10,000)\n`);
}
