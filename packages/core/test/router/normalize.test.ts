import { describe, expect, it } from 'vitest';
import { createRouter, normalizePath } from '../../src/router/index.js';
import { req, route, service } from './helpers.js';

describe('normalizePath (RFC 3986 §6.2.2, as Kong before matching)', () => {
  it.each([
    ['/a/../b', '/b'],
    ['/a/./b', '/a/b'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/../a', '/a'],
    ['/..', '/'],
    ['/a//b///c', '/a/b/c'],
    ['/a/..//b', '/b'],
    ['/%7Euser/%61bc', '/~user/abc'],
    ['/%2e%2e/secret', '/secret'],
    ['/a/%2E/b', '/a/b'],
    ['/a%2fb', '/a%2Fb'],
    ['/a%3ab%20c', '/a%3Ab%20c'],
    ['/100%25', '/100%25'],
    ['/bad%zz/%4', '/bad%zz/%4'],
    ['/...', '/...'],
    ['/a/..b', '/a/..b'],
    ['/v1/messages?beta=true', '/v1/messages'],
    ['/x#frag', '/x'],
    ['', '/'],
    ['relative', '/relative'],
    ['/', '/'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizePath(raw)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const p of ['/a/../b/%2f/./c//', '/%41%2E%2E/x', '/a%252e%252e/b']) {
      expect(normalizePath(normalizePath(p))).toBe(normalizePath(p));
    }
  });

  it('keeps an encoded slash from matching a route that needs a real slash', () => {
    const router = createRouter({ services: [service()], routes: [route({ name: 'ab', paths: ['/a/b'] })] });
    expect(router.match(req({ path: normalizePath('/a%2Fb') }))).toBeNull();
    expect(router.match(req({ path: normalizePath('/x/../a/b') }))?.route.name).toBe('ab');
    expect(router.match(req({ path: normalizePath('/%61/b') }))?.route.name).toBe('ab');
  });
});
