// How guessable a new password is, with zxcvbn-ts: it matches the password against common
// passwords, English words and names, keyboard runs, repeats, sequences, dates and the user's own
// name, and estimates how many guesses an attacker needs. The dictionaries come from npm packages
// on this machine; nothing is fetched at run time. The estimator takes a few hundred
// milliseconds on long inputs, so the server runs it on a worker thread (password-policy.ts).
import { ZxcvbnFactory, type MatchEstimated } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/**
 * A password is refused below 10^10 estimated guesses: zxcvbn's top score, "strong protection
 * from an offline slow-hash attack". A few unrelated words clear it easily; a common password,
 * the username repeated or a keyboard run do not, however long.
 */
export const MIN_GUESSES_LOG10 = 10;
/**
 * Only the first 64 characters are estimated: the estimate's cost grows steeply with length, and
 * 64 characters that are not guessable make a password that is not either.
 */
export const ESTIMATED_LENGTH = 64;

/** What the estimate found, enough to say why a password is refused. */
export interface Estimate {
  guessesLog10: number;
  matches: Array<Pick<MatchEstimated, 'pattern' | 'token'> & { dictionaryName?: string; baseToken?: string }>;
}

let estimator: ZxcvbnFactory | undefined;

/** Estimate how guessable `password` is for `username` (loads the dictionaries on first use, about 0.5 s). */
export function estimate(password: string, username: string): Estimate {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    maxLength: ESTIMATED_LENGTH,
  });
  const result = estimator.check(password.normalize('NFKC'), [username]);
  return {
    guessesLog10: result.guessesLog10,
    matches: result.sequence.map((match) => ({
      pattern: match.pattern,
      token: match.token,
      ...(typeof match.dictionaryName === 'string' ? { dictionaryName: match.dictionaryName } : {}),
      ...(typeof match.baseToken === 'string' ? { baseToken: match.baseToken } : {}),
    })),
  };
}

const KEYBOARDS = [common.adjacencyGraphs.qwerty, common.adjacencyGraphs.keypad] as Array<Record<string, Array<string | null>>>;

function adjacent(a: string, b: string): boolean {
  return KEYBOARDS.some((graph) => graph[a]?.some((keys) => keys !== null && keys.includes(b)) ?? false);
}

/** Whether most of the text is keys next to each other on a keyboard (qwertyuiop, 1qaz2wsx, 0147…). */
export function isKeyboardRun(text: string): boolean {
  const keys = [...text.toLowerCase()];
  if (keys.length < 4) return false;
  let neighbours = 0;
  for (let i = 1; i < keys.length; i++) if (adjacent(keys[i - 1]!, keys[i]!)) neighbours++;
  return neighbours / (keys.length - 1) >= 0.75;
}

const isCommonPassword = (name: string | undefined) => name?.startsWith('passwords') ?? false;

/**
 * Why a password is refused, in words a clinic's staff understand, completing "The password …";
 * null when it is hard enough to guess.
 */
export function refusalReason(password: string, username: string, found: Estimate): string | null {
  if (found.guessesLog10 >= MIN_GUESSES_LOG10) return null;
  const text = password.normalize('NFKC').toLowerCase();
  const name = username.toLowerCase();
  const { matches } = found;
  if (
    matches.some((m) => m.dictionaryName === 'userInputs' || (m.baseToken !== undefined && m.baseToken.toLowerCase().includes(name))) ||
    (name.length >= 3 && text.includes(name))
  ) {
    return 'repeats your username: choose something else, a few unrelated words work well';
  }
  if (matches.some((m) => m.pattern === 'spatial') || isKeyboardRun(text)) {
    return 'is a keyboard pattern, which is among the first things guessed: choose a few unrelated words instead';
  }
  if (matches.some((m) => m.pattern === 'dictionary' && isCommonPassword(m.dictionaryName))) {
    return 'is a common password, which is among the first things guessed: choose a few unrelated words instead';
  }
  const repeated = matches.find((m) => m.pattern === 'repeat');
  if (repeated) {
    const base = repeated.baseToken === undefined ? null : estimate(repeated.baseToken, username);
    if (base?.matches.some((m) => m.pattern === 'dictionary' && isCommonPassword(m.dictionaryName))) {
      return 'is a common password, repeated, which is among the first things guessed: choose a few unrelated words instead';
    }
    return 'repeats the same few characters: choose a few unrelated words instead';
  }
  if (matches.some((m) => m.pattern === 'sequence')) return 'is a run of letters or digits such as abcd or 1234: choose a few unrelated words instead';
  if (matches.some((m) => m.pattern === 'date')) return 'is mostly a date, which is easy to guess: choose a few unrelated words instead';
  return 'is too easy to guess: add a few more unrelated words';
}
