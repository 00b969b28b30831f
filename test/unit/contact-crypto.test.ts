// The sealing of contact details and the format of SMP_CONTACT_KEY: a sealed value opens only
// under its key and at its place (study, participant, field), an altered byte does not open,
// and the key is 64 hexadecimal characters or 44 of base64, nothing else.
import { expect } from 'chai';
import { configFromEnv } from '../../api/config.ts';
import { open, seal } from '../../api/services/contact-crypto.ts';

describe('contact details sealing (AES-256-GCM)', () => {
  const key = Buffer.alloc(32, 3);
  const place = { studyId: 4, participantNo: 7, field: 'email' } as const;

  it('opens under its key and place only', () => {
    const sealed = seal(key, place, 'ana@example.org');
    expect(sealed.length).to.equal(1 + 12 + 16 + 'ana@example.org'.length);
    expect(sealed[0]).to.equal(1);
    expect(open(key, place, sealed)).to.equal('ana@example.org');
    expect(open(Buffer.alloc(32, 4), place, sealed)).to.equal(null);
    expect(open(key, { ...place, participantNo: 8 }, sealed)).to.equal(null);
    expect(open(key, { ...place, field: 'phone' }, sealed)).to.equal(null);
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    expect(open(key, place, altered)).to.equal(null);
    // A fresh nonce each time: the same address seals differently.
    expect(seal(key, place, 'ana@example.org').equals(sealed)).to.equal(false);
  });

  it('reads SMP_CONTACT_KEY as 64 hexadecimal characters or 44 of base64', () => {
    expect(configFromEnv({ SMP_CONTACT_KEY: '0f'.repeat(32) }).contactKey).to.deep.equal(Buffer.alloc(32, 15));
    expect(configFromEnv({ SMP_CONTACT_KEY: Buffer.alloc(32, 15).toString('base64') }).contactKey).to.deep.equal(Buffer.alloc(32, 15));
    expect(configFromEnv({ SMP_CONTACT_KEY: '' }).contactKey).to.equal(undefined);
    for (const bad of ['secret', '0f'.repeat(16), Buffer.alloc(16).toString('base64'), 'z'.repeat(64)]) {
      expect(() => configFromEnv({ SMP_CONTACT_KEY: bad }), bad).to.throw('SMP_CONTACT_KEY must be a 256-bit key: 64 hexadecimal characters or 44 characters of base64');
    }
  });
});
