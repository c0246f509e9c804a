import { describe, expect, it } from 'vitest';
import { readMembers, writeMembers } from '../../src/request/json-members.js';

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

  it('handles the empty object and keeps the last of repeated names, like JSON.parse', () => {
    expect(readMembers('{ }').size).toBe(0);
    const members = readMembers('{"a":1,"b":2,"a":3}');
    expect(JSON.parse(writeMembers(members))).toEqual(JSON.parse('{"a":1,"b":2,"a":3}'));
  });

  it('rejects what is not an object', () => {
    expect(() => readMembers('[1]')).toThrow(SyntaxError);
    expect(() => readMembers('{"a":"x')).toThrow(SyntaxError);
  });
});
