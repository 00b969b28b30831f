// The share of records verified against the source, per site (a clinic: its own sites), on the
// study's dashboard: records verified at their current version, of all the site's records.
import type { z } from 'zod';
import type { VerificationShares as Shares } from '../../../api/schemas/data-queries.ts';
import { useResource } from '../api.ts';
import { ErrorBox } from '../components/problems.tsx';

export function VerificationShares({ base }: { base: string }) {
  const shares = useResource<z.output<typeof Shares>>(`${base}/verification`);
  return (
    <section aria-labelledby="verification-heading" id="verification-shares">
      <h2 id="verification-heading">Source-data verification</h2>
      <ErrorBox error={shares.error} title="The verification figures could not be read." />
      {shares.data ? (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Records verified per site">
          <table>
            <caption>Records verified against the source, per site</caption>
            <thead>
              <tr>
                <th scope="col">Site</th>
                <th scope="col">Records</th>
                <th scope="col">Verified</th>
                <th scope="col">Share</th>
              </tr>
            </thead>
            <tbody>
              {shares.data.sites.map((s) => (
                <tr key={s.site}>
                  <th scope="row">{s.site}</th>
                  <td class="number">{s.records}</td>
                  <td class="number">{s.verified}</td>
                  <td class="number">{s.share === null ? '—' : `${(s.share * 100).toFixed(0)}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
