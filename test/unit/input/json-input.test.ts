// The strict JSON reader shared by the command line and the HTTP body parser.
import { expect } from 'chai';
import { firstInvalidUtf8, MAX_JSON_DEPTH, parseJsonBytes, parseJsonBytesKeysLater, type JsonReadResult } from '../../../api/json-input.ts';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part))));

function failure(result: JsonReadResult) {
  if (result.ok) expect.fail(`was accepted: ${JSON.stringify(result.value)}`);
  return result.failure;
}

describe('strict JSON reader', () => {
  it('reads JSON, and skips one leading UTF-8 byte order mark (only one)', () => {
    expect(parseJsonBytes(bytes('{"a": [1, "é", null]}'))).to.deep.equal({ ok: true, value: { a: [1, 'é', null] } });
    expect(parseJsonBytes(bytes([0xef, 0xbb, 0xbf], '{"a": 1}'))).to.deep.equal({ ok: true, value: { a: 1 } });
    expect(parseJsonBytes(bytes([0xef, 0xbb, 0xbf], '"\uFEFFx"'))).to.deep.equal({ ok: true, value: '\uFEFFx' });
    expect(failure(parseJsonBytes(bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], '{}'))).kind).to.equal('syntax');
  });

  it('refuses invalid UTF-8 with the byte offset, line and column, never replacing it', () => {
    const cases: Array<[Buffer, string]> = [
      [bytes('{"title": "caf', [0xe9], '"}'), 'byte 0xe9 at byte offset 14 (line 1, column 15)'],
      [bytes('{\n  "t": "', [0x80], '"\n}'), 'byte 0x80 at byte offset 10 (line 2, column 9)'],
      [bytes('["é', [0xc0, 0xaf], '"]'), 'byte 0xc0 at byte offset 4 (line 1, column 4)'], // overlong "/"
      [bytes('["', [0xed, 0xa0, 0x80], '"]'), 'byte 0xed at byte offset 2 (line 1, column 3)'], // a UTF-16 surrogate
      [bytes('["', [0xf4, 0x90, 0x80, 0x80], '"]'), 'byte 0xf4 at byte offset 2 (line 1, column 3)'], // beyond U+10FFFF
      [bytes('["ab', [0xe2, 0x82]), 'byte 0xe2 at byte offset 4 (line 1, column 5)'], // cut short at the end
    ];
    for (const [input, where] of cases) {
      expect(failure(parseJsonBytes(input))).to.deep.include({ kind: 'encoding', detail: `not valid UTF-8: ${where}` });
    }
  });

  it('finds the first invalid UTF-8 byte exactly where Node does not decode it', () => {
    const valid = bytes('a é € 𝄞 \u0000 \uFFFD');
    expect(firstInvalidUtf8(valid)).to.equal(valid.length);
    expect(firstInvalidUtf8(bytes('ok', [0xff]))).to.equal(2);
    expect(firstInvalidUtf8(bytes([0xe0, 0x80, 0x80]))).to.equal(0);
  });

  it('keeps the line and column of a syntax error', () => {
    expect(failure(parseJsonBytes(bytes('{\n  "format": "x",\n  oops\n}'))).detail).to.equal(
      "not valid JSON (line 3, column 3): Expected double-quoted property name",
    );
    expect(failure(parseJsonBytes(bytes('{"a": 1'))).detail).to.equal(
      "not valid JSON (line 1, column 8): Expected ',' or '}' after property value",
    );
    expect(failure(parseJsonBytes(bytes(''))).detail).to.equal('not valid JSON (line 1, column 1): Unexpected end of JSON input');
    expect(failure(parseJsonBytes(bytes('{"a": 1,}'))).kind).to.equal('syntax');
    expect(failure(parseJsonBytes(bytes('{"a": 1} // note'))).kind).to.equal('syntax');
  });

  it('refuses duplicate keys at their JSON path, escaped spellings included, and reads each object separately', () => {
    const text = '{"participants": [{"code": "P1"}, {"code": "P2", "sessions": [{"date": "a"}, {"date": "b", "d\\u0061te": "c"}]}],\n "format": 1, "format": 2}';
    const result = failure(parseJsonBytes(bytes(text)));
    expect(result.kind).to.equal('duplicate-keys');
    expect(result.problems).to.deep.equal([
      { path: 'format', message: 'duplicate key "format" (line 2, column 15)' },
      { path: 'participants[1].sessions[1].date', message: 'duplicate key "date" (line 1, column 92)' },
    ]);
    expect(result.problemsOmitted).to.equal(0);
    // The same key in different objects, or a key that equals a value, is fine.
    expect(parseJsonBytes(bytes('[{"a": "a"}, {"a": {"a": 1}}]')).ok).to.equal(true);
  });

  it('tracks keys of large objects too, and caps the duplicates reported at 1,000 with a count of the rest', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `"k${i}": 1`);
    const big = `{${keys.join(', ')}, "k2999": 2, "k5": 3}`;
    expect(failure(parseJsonBytes(bytes(big))).problems.map((p) => p.path)).to.deep.equal(['k2999', 'k5']);
    const many = `[${Array.from({ length: 1500 }, (_, i) => `{"x${i}": 1, "x${i}": 2}`).join(',')}]`;
    const result = failure(parseJsonBytes(bytes(many)));
    expect(result.problems).to.have.length(1000);
    expect(result.problems[0]).to.deep.equal({ path: '[0].x0', message: 'duplicate key "x0" (line 1, column 12)' });
    expect(result.problems[999]!.path).to.equal('[999].x999');
    expect(result.problemsOmitted).to.equal(500);
  });

  it('can leave the key check to later, in steps of about a megabyte of text, with the same answer', () => {
    // 3,000 objects of about 1,000 characters: about 3 MB.
    const objects = Array.from({ length: 3000 }, (_, i) => ({ code: `P${i}`, note: 'x'.repeat(1000) }));
    const steps = (text: string) => {
      const read = parseJsonBytesKeysLater(bytes(text));
      if (!read.ok) return expect.fail(read.failure.detail);
      expect(read.value).to.deep.equal(JSON.parse(text));
      let paused = 0;
      let step = read.keyCheck.next();
      for (; !step.done; step = read.keyCheck.next()) paused += 1;
      return { paused, failure: step.value };
    };
    const clean = JSON.stringify(objects);
    expect(steps(clean)).to.deep.equal({ paused: 2, failure: undefined });
    const repeated = clean.slice(0, -2) + ',"code":"again"}]';
    const later = steps(repeated);
    expect(later.paused).to.equal(2);
    expect(later.failure).to.deep.equal(failure(parseJsonBytes(bytes(repeated))));
    expect(later.failure).to.deep.include({ kind: 'duplicate-keys', problems: [{ path: '[2999].code', message: `duplicate key "code" (line 1, column ${repeated.lastIndexOf('"code"') + 1})` }] });
    // A syntax error is said at once.
    const broken = parseJsonBytesKeysLater(bytes('{"a": }'));
    expect(broken.ok).to.equal(false);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels instead of overflowing the stack`, () => {
    const deep = (n: number) => bytes(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
    expect(parseJsonBytes(deep(MAX_JSON_DEPTH)).ok).to.equal(true);
    expect(failure(parseJsonBytes(deep(100_000)))).to.deep.include({ kind: 'too-deep', detail: `nested deeper than ${MAX_JSON_DEPTH} levels` });
    expect(failure(parseJsonBytes(bytes(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))).kind).to.equal('too-deep');
  });

  it('finds duplicate keys past strings that hold quotes, backslashes, braces and commas, and takes none of them for keys', () => {
    const duplicated = (text: string) => {
      const result = failure(parseJsonBytes(bytes(text)));
      expect(result.kind).to.equal('duplicate-keys');
      return result.problems.map((p) => p.path);
    };
    expect(duplicated(String.raw`{"a": "x\"", "b": "{\"a\": 1, ", "a": 2}`)).to.deep.equal(['a']);
    expect(duplicated(String.raw`{"k\\": "\\", "k\\": 1}`)).to.deep.equal(['k\\']);
    expect(duplicated(String.raw`{"a": [1, "b", {"b": 1}], "b": {}, "\u0062": 2}`)).to.deep.equal(['b']);
    expect(duplicated(String.raw`[{"a": 1}, {"x": ["a", "a"], "a": {"a": 1, "a\"": 2, "a": 3}}]`)).to.deep.equal(['[1].a.a']);
    // Text that only looks like a repeated key inside string values is accepted.
    expect(parseJsonBytes(bytes(String.raw`{"a": "\"a\": 1, \"a\": 2", "b": ["a", "a"], "c\\": {"c\\\\": 1, "c\\": 2}}`)).ok).to.equal(true);
  });
});
