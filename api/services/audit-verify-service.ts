// `smp audit verify`: recompute every audit hash chain (or one study's) from the stored columns,
// in one snapshot, and say where the first entry of each broken chain is.
import type { Db } from '../../db/kysely.ts';
import { selectChainEntries, selectChainHeads } from '../../db/repositories/audit-repository.ts';
import { AppError } from '../errors.ts';
import { AuditChainChecker, type ChainVerdict } from './audit-chain.ts';

/** Entries read per query: bounds memory (the replaced studies are read as their digests only). */
const PAGE = 1000;

export async function verifyAuditTrail(db: Db, studyCode?: string): Promise<ChainVerdict> {
  return db.readSnapshot(async (kysely) => {
    const checker = new AuditChainChecker();
    let seen = 0;
    for (let after = '0'; ; ) {
      const rows = await selectChainEntries(kysely, { studyCode, after, limit: PAGE });
      for (const row of rows) checker.add(row);
      seen += rows.length;
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.audit_id;
    }
    const heads = await selectChainHeads(kysely, studyCode);
    if (studyCode !== undefined && seen === 0 && heads.length === 0) {
      throw new AppError('not_found', `study ${studyCode} has no audit trail (no entry names it)`);
    }
    return checker.finish(heads);
  });
}
