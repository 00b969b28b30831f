// Password hashing: the stored format, salts, parameters read back from the hash, and the
// RFC 7914 test vector, so that the scrypt call is the standard one.
import { expect } from 'chai';
import { hashPassword, needsRehash, verifyPassword } from '../../../api/services/password.ts';

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '');

describe('password hashing (scrypt)', function () {
  this.timeout(30_000);

  it('stores the parameters, a 16-byte salt and a 32-byte key, and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    const match = /^scrypt\$ln=15,r=8,p=3\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(hash);
    expect(match, hash).to.not.equal(null);
    expect(Buffer.from(match![1]!, 'base64')).to.have.length(16);
    expect(Buffer.from(match![2]!, 'base64')).to.have.length(32);
    expect(await verifyPassword('correct horse battery staple', hash)).to.equal(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).to.equal(false);
    expect(await verifyPassword('Correct horse battery staple', hash)).to.equal(false);
  });

  it('salts every hash, so the same password hashes differently each time', async () => {
    const [a, b] = await Promise.all([hashPassword('the same password twice'), hashPassword('the same password twice')]);
    expect(a).to.not.equal(b);
    expect(a.split('$')[2]).to.not.equal(b.split('$')[2]);
  });

  it('reads N, r and p from the stored hash: the RFC 7914 §12 test vector verifies', async () => {
    // scrypt(P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64), RFC 7914 section 12.
    const key =
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162' +
      '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640';
    const stored = `scrypt$ln=10,r=8,p=16$${b64(Buffer.from('NaCl').toString('hex'))}$${b64(key)}`;
    expect(await verifyPassword('password', stored)).to.equal(true);
    expect(await verifyPassword('Password', stored)).to.equal(false);
  });

  it('normalises to NFKC, so a composed and a decomposed é are the same password', async () => {
    const hash = await hashPassword('caf\u00e9 au lait, très chaud');
    expect(await verifyPassword('cafe\u0301 au lait, tre\u0300s chaud', hash)).to.equal(true);
  });

  it('answers false for a missing or malformed hash, after the same work', async () => {
    const hash = await hashPassword('a real password of some length');
    const time = async (stored: string | null) => {
      const start = process.hrtime.bigint();
      expect(await verifyPassword('a real password of some length!', stored)).to.equal(false);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const real = [await time(hash), await time(hash), await time(hash)].sort((a, b) => a - b)[1]!;
    const missing = [await time(null), await time(null), await time(null)].sort((a, b) => a - b)[1]!;
    const malformed = await time('plain-text-password');
    // Without the decoy these would take microseconds against tens of milliseconds.
    expect(missing).to.be.greaterThan(real * 0.5);
    expect(malformed).to.be.greaterThan(real * 0.5);
  });

  it('asks for a rehash of weaker or malformed hashes only', async () => {
    expect(needsRehash(await hashPassword('today’s parameters are fine'))).to.equal(false);
    expect(needsRehash(`scrypt$ln=14,r=8,p=1$${'A'.repeat(22)}$${'B'.repeat(43)}`)).to.equal(true);
    expect(needsRehash('not a hash')).to.equal(true);
  });
});
