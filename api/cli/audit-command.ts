// `smp audit verify [--study CODE]`: recompute the audit trail's hash chains and name the first
// entry of each broken one (exit 1), or print how many entries were verified.
import { parse, plural, UsageError, withDb } from './cli-support.ts';

export async function runAuditCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new UsageError(sub === undefined ? 'audit needs a subcommand: verify' : `unknown audit subcommand "${sub}" (known: verify)`);
  const { values, positionals } = parse(rest, { study: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`audit verify takes no arguments (got "${positionals[0]}")`);
  if (values.study !== undefined && values.study.trim() === '') throw new UsageError('--study needs a study code');
  const [{ verifyAuditTrail }, { describeBreak }] = await Promise.all([import('../services/audit-verify-service.ts'), import('../services/audit-chain.ts')]);
  await withDb(async (db) => {
    const verdict = await verifyAuditTrail(db, values.study);
    if (verdict.breaks.length > 0) {
      throw new Error(`${verdict.breaks.map(describeBreak).join('\n')}\n${plural(verdict.rowsVerified, 'entry', 'entries')} before the break${verdict.breaks.length === 1 ? '' : 's'} verified`);
    }
    console.log(`the audit trail holds: ${plural(verdict.rowsVerified, 'entry', 'entries')} verified in ${plural(verdict.chains.length, 'chain')}`);
    for (const chain of verdict.chains) {
      const name = chain.studyCode ?? '(no study)';
      console.log(`${name.padEnd(16)}  ${plural(chain.rows, 'entry', 'entries').padStart(14)}  last entry ${chain.lastAuditId ?? '-'}  sha256 ${chain.lastHash ?? '-'}`);
    }
  });
}
