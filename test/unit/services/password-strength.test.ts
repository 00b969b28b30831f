// How guessable a new password is (zxcvbn-ts with its common-password and English
// dictionaries) and why one is refused. The refused examples are the kinds an attacker tries
// first: the username repeated (the password "lonpwlonpwlonpw" was accepted for user lonpw
// before this check), passwords from breach lists, keyboard runs, repeats and sequences. The
// accepted ones are passphrases of a few words, as the pages suggest.
import { expect } from 'chai';
import { estimate, isKeyboardRun, MIN_GUESSES_LOG10, refusalReason } from '../../../api/services/password-strength.ts';

const reasonFor = (password: string, username = 'dr-lee') => refusalReason(password, username, estimate(password, username));

describe('password strength (zxcvbn-ts)', function () {
  this.timeout(60_000);

  it('refuses the username repeated, saying so', () => {
    expect(reasonFor('lonpwlonpwlonpw', 'lonpw')).to.match(/^repeats your username/);
    expect(reasonFor('dr-lee-dr-lee-dr-lee')).to.match(/^repeats your username/);
    expect(reasonFor('Dr-Lee2024Dr-Lee2024')).to.match(/^repeats your username/);
  });

  it('refuses common passwords, alone, run together or repeated', () => {
    for (const password of ['password12345678', 'Password1234567!', 'iloveyouiloveyou', 'trustno1trustno1']) {
      expect(reasonFor(password), password).to.match(/^is a common password/);
    }
  });

  it('refuses keyboard runs', () => {
    for (const password of ['qwertyuiopasdfgh', '1qaz2wsx3edc4rfv', 'zxcvbnmasdfghjkl', 'poiuytrewqlkjhgf']) {
      expect(reasonFor(password), password).to.match(/^is a keyboard pattern/);
    }
    expect(isKeyboardRun('qwertyuiop')).to.equal(true);
    expect(isKeyboardRun('a long walk on a cold morning')).to.equal(false);
  });

  it('refuses repeated characters and sequences', () => {
    expect(reasonFor('aaaaaaaaaaaaaaaa')).to.match(/^repeats the same few characters/);
    expect(reasonFor('abcdefghijklmnopqrs')).to.match(/^is a run of letters or digits/);
  });

  it('accepts a few unrelated words, estimated far above 10^10 guesses', () => {
    for (const password of ['a long walk on a cold morning', 'seven green kites over the harbour', 'correct horse battery staple', 'my clinic opens at nine']) {
      const found = estimate(password, 'dr-lee');
      expect(found.guessesLog10, password).to.be.at.least(MIN_GUESSES_LOG10 + 4);
      expect(refusalReason(password, 'dr-lee', found), password).to.equal(null);
    }
  });

  it('judges a long password by its first 64 characters, so that the estimate stays quick', () => {
    const weakStart = 'p@ssw0rd'.repeat(8);
    expect(reasonFor(`${weakStart} and then some unrelated words at the end`)).to.not.equal(null);
    expect(reasonFor(`a long walk on a cold morning${'p@ssw0rd'.repeat(30)}`)).to.equal(null);
  });
});
