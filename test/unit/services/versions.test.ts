// Optimistic concurrency: a change made from the current version passes; one made from any other
// version is refused with 412, naming both versions and carrying the current record.
import { expect } from 'chai';
import { AppError } from '../../../api/errors.ts';
import { requireVersion } from '../../../api/services/versions.ts';

describe('requireVersion', () => {
  it('passes a change made from the current version, numeric or text', () => {
    expect(() => requireVersion('7', 7, 'participant P01', {})).not.to.throw();
    expect(() => requireVersion('12', '12', 'site LON', {})).not.to.throw();
  });

  it('refuses a change made from an older or a newer version with 412, naming both and carrying the current record', () => {
    for (const stale of ['6', '8', '70', '']) {
      let error: unknown;
      try {
        requireVersion(stale, 7, 'participant P01', { code: 'P01', version: 7 });
      } catch (caught) {
        error = caught;
      }
      expect(error, `If-Match "${stale}"`).to.be.instanceOf(AppError);
      const refused = error as AppError;
      expect(refused.kind).to.equal('precondition_failed');
      expect(refused.httpStatus).to.equal(412);
      expect(refused.message).to.equal(
        `participant P01 has changed since version ${stale}: it is now version 7; reload it, check the other change, and try again`,
      );
      expect(refused.problems).to.deep.equal([{ path: '(header) If-Match', message: `is "${stale}" but the current version is "7"` }]);
      expect(refused.extra).to.deep.equal({ current: { code: 'P01', version: 7 } });
    }
  });
});
