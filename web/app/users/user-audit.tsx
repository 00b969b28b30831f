// The audit trail of user management (users, grants, tokens), newest first, a page at a time.
import { useEffect } from 'preact/hooks';
import { useResource, useStale } from '../api.ts';
import { AuditTable, type AuditPageData } from '../components/audit-table.tsx';
import { Pager, usePaging } from '../components/paging.tsx';
import { ErrorBox, Loading } from '../components/problems.tsx';
import { queryOf } from '../router.tsx';

export function UserAudit({ generation }: { generation: number }) {
  const pages = usePaging();
  const path = `/api/audit${queryOf({ limit: 20, cursor: pages.cursor })}`;
  const audit = useResource<AuditPageData>(path);
  const stale = useStale(path, audit);
  // A change made on the page shows at once: back to the newest entries.
  useEffect(() => {
    if (generation === 0) return;
    if (pages.cursor === null) audit.reload();
    pages.reset();
  }, [generation]);
  return (
    <section aria-labelledby="user-audit-heading">
      <h2 id="user-audit-heading">Changes to users, grants and tokens</h2>
      <ErrorBox error={audit.error} title="The audit trail could not be read." />
      {audit.loading && !audit.data ? <Loading what="Reading the audit trail" /> : null}
      {audit.data ? (
        <>
          <AuditTable id="user-audit" entries={audit.data.items} code={null} busy={stale} caption="User management, newest first" />
          <Pager
            of="the user-management audit"
            short
            busy={stale}
            hasPrevious={pages.cursor !== null}
            hasNext={audit.data.nextCursor !== null}
            pageNumber={pages.depth + 1}
            onPrevious={pages.previous}
            onNext={() => pages.next(audit.data!.nextCursor!)}
          />
        </>
      ) : null}
    </section>
  );
}
