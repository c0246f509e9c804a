import { describe, expect, it } from 'vitest';
import { checkRouteRegex, compileRouteRegex, literalPrefix, translatePcre } from '../../src/router/regex.js';

const anchored = (p: string) => compileRouteRegex(p, { anchored: true });

describe('route regexes (RE2 semantics)', () => {
  it('keeps Python-style, angle-bracket and quoted named groups', () => {
    expect(anchored('/(?P<a>x+)/(?<b>y)').exec('/xx/y')?.captures).toEqual({ '0': '/xx/y', '1': 'xx', '2': 'y', a: 'xx', b: 'y' });
    expect(translatePcre("/(?'id'\\d+)")).toBe('/(?P<id>\\d+)');
    expect(anchored("/(?'id'\\d+)").exec('/42')?.captures.id).toBe('42');
  });
  it('supports \\A, \\z, and \\Z as the end of a path', () => {
    expect(anchored('\\A/a\\Z').test('/a')).toBe(true);
    expect(anchored('/a\\z').test('/ab')).toBe(false);
    expect(translatePcre('/a\\\\Z')).toBe('/a\\\\Z');
  });
  it('supports inline flags anywhere, as RE2 does', () => {
    expect(anchored('(?i)/abc').test('/ABC')).toBe(true);
    expect(anchored('/x(?i:ab)c').test('/xABc')).toBe(true);
    expect(anchored('/x(?i:ab)c').test('/xABC')).toBe(false);
    expect(anchored('(?i)/abc').caseInsensitive).toBe(true);
  });
  it('anchors the whole pattern at the start, alternatives included', () => {
    const re = anchored('/a|/b');
    expect(re.test('/b')).toBe(true);
    expect(re.test('/x/b')).toBe(false);
    expect(re.exec('/b/c')?.end).toBe(2);
  });
  it('searches anywhere when not anchored (header values)', () => {
    expect(compileRouteRegex('linux', { anchored: false, caseInsensitive: true }).test('X11; Linux x86_64')).toBe(true);
  });
  it('leaves out groups that took no part in the match', () => {
    expect(anchored('/u/(\\d+)(/x)?').exec('/u/1')?.captures).toEqual({ '0': '/u/1', '1': '1' });
  });
  it.each([
    ['/(?=a)a', 'lookahead'],
    ['/(?!b)a', 'lookahead'],
    ['/(?<=x)a', 'lookbehind'],
    ['/(?<!x)a', 'lookbehind'],
    ['/(a)\\1', 'backreference \\N'],
    ['/(?<n>a)\\k<n>', 'backreference \\k<name>'],
    ['/(?P<n>a)(?P=n)', 'backreference (?P=name)'],
    ['/(?>a)', 'atomic group'],
    ['/a++', 'possessive quantifier'],
    ['/a{2}+', 'possessive quantifier'],
    ['/(?R)', 'recursion'],
    ['/(?(1)a|b)', 'conditional'],
    ['/(?#c)a', 'comment'],
    ['/(?|a)', 'branch reset'],
    ['/\\Gx', '\\G'],
  ])('rejects %s, naming the construct', (p, what) => {
    expect(() => checkRouteRegex(p)).toThrow(new RegExp(`unsupported regex construct: ${what.replace(/[\\{}()?*+.|[\]^$]/g, '\\$&')}`));
  });
  it('does not mistake escaped or bracketed text for a construct', () => {
    for (const p of ['/a\\++', '/[(?=]x', '/\\(\\?=x', '/\\\\1', '/[]a]', '/(?:a|b)']) expect(() => checkRouteRegex(p), p).not.toThrow();
  });
  it('reports RE2 syntax errors', () => {
    expect(() => checkRouteRegex('/a(b')).toThrow(/missing closing \)/);
  });
  it('matches a catastrophic-backtracking pattern in linear time', () => {
    // A backtracking engine takes seconds on 30 a's; this must stay trivial even at 100,000.
    const re = anchored('/redos/(a+)+$');
    expect(re.test('/redos/' + 'a'.repeat(100_000) + '!')).toBe(false);
    expect(re.exec('/redos/aaa')?.captures['1']).toBe('aaa');
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
