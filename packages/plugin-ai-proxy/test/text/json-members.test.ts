import { describe, expect, it } from 'vitest';
import { DuplicateMemberError, readMembers } from '../../src/text/json-members.js';
import { writeMembers } from '../../src/text/write-members.js';

describe('top-level member splicing', () => {
  it('finds members across whitespace, escapes, nesting and scalars', () => {
    const text = ' {\n "a" : "x\\\\\\"}{[" , "b":[1,{"c":"]}"}],"d":-1.5e3,"e":true,"f":null,"g":{} ,"h\\u0041":[] }\n';
    const members = readMembers(text);
    expect([...members.keys()]).toEqual(['a', 'b', 'd', 'e', 'f', 'g', 'hA']);
    expect(members.get('a')).toBe('"x\\\\\\"}{["');
    expect(members.get('b')).toBe('[1,{"c":"]}"}]');
    expect(members.get('d')).toBe('-1.5e3');
    expect(JSON.parse(writeMembers(members))).toEqual(JSON.parse(text));
  });

  it('handles the empty object', () => {
    expect(readMembers('{ }').size).toBe(0);
  });

  it('refuses a repeated name, however it is escaped, naming it (JSON.parse would silently keep the last)', () => {
    for (const [text, key] of [['{"a":1,"b":2,"a":3}', 'a'], ['{"model":"x","m\\u006fdel":"y"}', 'model'], ['{"":1,"":2}', '']] as const) {
      let thrown: unknown;
      try {
        readMembers(text);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, text).toBeInstanceOf(DuplicateMemberError);
      expect((thrown as DuplicateMemberError).key).toBe(key);
    }
    // Repeats inside a member are not top-level duplicates.
    expect([...readMembers('{"a":{"k":1,"k":2},"b":[{"k":1},{"k":2}]}').keys()]).toEqual(['a', 'b']);
  });

  it('rejects what is not an object', () => {
    expect(() => readMembers('[1]')).toThrow(SyntaxError);
    expect(() => readMembers('{"a":"x')).toThrow(SyntaxError);
  });
});
