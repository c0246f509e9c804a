import { describe, expect, it } from 'vitest';
import { compileAnchored, literalPrefix, translatePcre } from '../../src/router/pcre.js';

describe('PCRE → JS translation', () => {
  it('rewrites Python-style named groups and back-references', () => {
    expect(translatePcre('/(?P<a>x)(?P=a)').source).toBe('/(?<a>x)\\k<a>');
    expect(compileAnchored('/(?P<a>x+)-(?P=a)').exec('/xx-xx')?.groups?.a).toBe('xx');
  });
  it("rewrites (?'n'…) groups and the \\A, \\z, \\Z anchors", () => {
    expect(translatePcre("/(?'id'\\d+)\\z").source).toBe('/(?<id>\\d+)$');
    expect(compileAnchored('\\A/a\\Z').test('/a')).toBe(true);
    expect(compileAnchored('/a\\z').test('/ab')).toBe(false);
    expect(translatePcre('/a\\\\A').source).toBe('/a\\\\A');
  });
  it('turns leading (?i), (?s), (?m) into flags and rejects other inline flags', () => {
    expect(translatePcre('(?i)/abc')).toEqual({ source: '/abc', flags: 'i' });
    expect(translatePcre('(?is)/abc').flags).toBe('is');
    expect(() => translatePcre('(?x)/a b')).toThrow(/inline flag 'x'/);
  });
  it('anchors the whole pattern, alternatives included', () => {
    const re = compileAnchored('/a|/b');
    expect(re.test('/b')).toBe(true);
    expect(re.test('/x/b')).toBe(false);
  });
  it.each(['/(?>a)', '/a++', '/\\Gx', '/\\Qa\\E', '/(?i:a)', '/x(?i)a', '/(?#c)a', '/(?|a)', '/(?R)'])('rejects %s', (p) => {
    expect(() => translatePcre(p)).toThrow(/unsupported regex construct/);
  });
  it('accepts lookarounds, non-capturing groups and escaped pluses', () => {
    for (const p of ['/(?:a|b)', '/(?=a)a', '/(?!b)a', '/(?<=\\/)a', '/a\\++']) expect(() => translatePcre(p)).not.toThrow();
  });
});

describe('literalPrefix (index key source)', () => {
  it.each([
    ['/v1/models/.*', '/v1/models/'],
    ['/v1/x?', '/v1/'],
    ['/ab/?', '/ab'],
    ['/ab/+', '/ab/'],
    ['/a\\.b/c', '/a'],
    ['/a|/b', ''],
    ['(?i)/a/', ''],
    ['[/]a/', ''],
  ])('%s → %s', (pattern, expected) => {
    expect(literalPrefix(pattern)).toBe(expected);
  });
});
