import { describe, expect, it } from 'vitest';
import { queryValues, redactQueryArgs, redactUri, removeQueryArg } from '../src/query.js';

describe('query helpers', () => {
  it('reads values like nginx: decoded, bare names are true, repeats kept', () => {
    expect(queryValues('a=1&k=x%20y&k=z+w&k', 'k')).toEqual(['x y', 'z w', true]);
    expect(queryValues('%6B=1', 'k')).toEqual(['1']);
    expect(queryValues('', 'k')).toEqual([]);
    expect(queryValues('k=%E0%A4%A', 'k')).toEqual(['%E0%A4%A']);
  });

  it('removes every argument of a name, encoded or not', () => {
    expect(removeQueryArg('k=1&a=2&%6B=3&k', 'k')).toBe('a=2');
    expect(removeQueryArg('k=1', 'k')).toBe('');
    expect(removeQueryArg('a=1', 'k')).toBe('a=1');
  });

  it('redacts values of the named arguments only', () => {
    const names = new Set(['k']);
    expect(redactQueryArgs('a=k&k=secret&kk=1&k', names)).toBe('a=k&k=REDACTED&kk=1&k=REDACTED');
    expect(redactUri('/p?k=secret', names)).toBe('/p?k=REDACTED');
    expect(redactUri('/p', names)).toBe('/p');
  });
});
