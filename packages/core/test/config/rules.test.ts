import { describe, expect, it } from 'vitest';
import { checkHost, checkPath, normalizePath, parseServiceUrl } from '../../src/config/entity-rules.js';
import { parseYaml } from '../../src/config/yaml.js';
import { didYouMean } from '../../src/config/kong-plugins.js';
import { stableId } from '../../src/config/ids.js';

const problems = (check: (v: string, fail: (m: string) => void) => void, v: string) => {
  const out: string[] = [];
  check(v, (m) => out.push(m));
  return out;
};

describe('Kong regex paths', () => {
  it('accepts PCRE spellings RE2 has or the router translates, rejects what RE2 cannot run', () => {
    expect(problems(checkPath, "~(?i)/items/(?P<id>\\d+)$")).toEqual(['must start with "/" or "~/"']);
    expect(problems(checkPath, '~/items/(?P<id>\\d+)$')).toEqual([]);
    expect(problems(checkPath, "~/u/(?'name'[a-z]+)\\z")).toEqual([]);
    expect(problems(checkPath, '~/a++')[0]).toMatch(/^invalid regex: '\/a\+\+' \(.*possessive/);
    expect(problems(checkPath, '~/(unclosed')).toEqual(["invalid regex: '/(unclosed' (missing closing ): `/(unclosed`)"]);
    expect(problems(checkPath, '~/(?<=x)y')).toEqual(["invalid regex: '/(?<=x)y' (unsupported regex construct: lookbehind (?<=…) / (?<!…))"]);
  });
});

describe('paths and hosts', () => {
  it('normalizes prefix paths per RFC 3986', () => {
    expect(normalizePath('/a/./b/../c')).toBe('/a/c');
    expect(normalizePath('/%7e%2f')).toBe('/~%2F');
    expect(problems(checkPath, '/fine/path/')).toEqual([]);
    expect(problems(checkPath, '~/(?<v>v\\d)/messages$')).toEqual([]);
  });

  it('accepts one wildcard at either end and ports', () => {
    for (const h of ['example.com', '*.example.com', 'example.*', 'localhost:8000', '*.example.com:443']) expect(problems(checkHost, h)).toEqual([]);
    expect(problems(checkHost, 'a.*.com')).toEqual(['invalid wildcard: must be placed at leftmost or rightmost label']);
  });

  it('parses service urls', () => {
    expect(parseServiceUrl('https://[::1]:8443/x')).toEqual({ protocol: 'https', host: '::1', port: 8443, path: '/x' });
    expect(parseServiceUrl('http://')).toBeUndefined();
    expect(parseServiceUrl('not a url')).toBeUndefined();
  });
});

describe('YAML positions', () => {
  it('locates values and keys in block and flow style', () => {
    const text = 'a: 1\nlist:\n  - name: x   # c\n    tags: [p, "q"]\n  - {name: y}\n';
    const r = parseYaml(text, (o) => o, text);
    if (!r.ok) throw new Error(r.message);
    expect(r.doc.locate(['list', 0, 'tags', 1])).toEqual({ line: 4, column: 15 });
    expect(r.doc.locate(['list', 0, 'tags'], true)).toEqual({ line: 4, column: 5 });
    expect(r.doc.locate(['list', 1, 'name'])).toEqual({ line: 5, column: 12 });
    expect(r.doc.locate(['list', 0, 'missing'])).toEqual({ line: 3, column: 5 });
    expect(r.doc.firstChar(['list', 0, 'tags', 1])).toBe('"');
  });
});

describe('helpers', () => {
  it('suggests close names only', () => {
    expect(didYouMean('fil-log', ['file-log', 'ai-proxy'])).toBe('file-log');
    expect(didYouMean('prometheus', ['file-log', 'ai-proxy'])).toBeUndefined();
  });

  it('stable ids are UUIDv5-shaped and depend on kind and name', () => {
    expect(stableId('service', 'a')).toBe(stableId('service', 'a'));
    expect(stableId('service', 'a')).not.toBe(stableId('route', 'a'));
    expect(stableId('service', 'a')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
