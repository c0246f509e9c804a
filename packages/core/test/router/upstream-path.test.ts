import { describe, expect, it } from 'vitest';
import { createRouter, joinUpstreamPath } from '../../src/router/index.js';
import { req, route, service } from './helpers.js';

// Kong's docs table for service path `/s` (docs/reference/kong.md#upstream-path; the `/s/fv01/` typo corrected).
const TABLE: ReadonlyArray<[string, string, boolean, 'v0' | 'v1', string, string]> = [
  ['/fv0', 'req', false, 'v0', '/fv0/req', '/s/fv0/req'],
  ['/fv0', 'blank', false, 'v0', '/fv0', '/s/fv0'],
  ['/tv0', 'req', true, 'v0', '/tv0/req', '/s/req'],
  ['/tv0', 'blank', true, 'v0', '/tv0', '/s'],
  ['/fv0/', 'req', false, 'v0', '/fv0/req', '/s/fv0/req'],
  ['/fv0/', 'blank', false, 'v0', '/fv0/', '/s/fv0/'],
  ['/tv0/', 'req', true, 'v0', '/tv0/req', '/s/req'],
  ['/tv0/', 'blank', true, 'v0', '/tv0/', '/s/'],
  ['/fv1', 'req', false, 'v1', '/fv1/req', '/sfv1/req'],
  ['/fv1', 'blank', false, 'v1', '/fv1', '/sfv1'],
  ['/tv1', 'req', true, 'v1', '/tv1/req', '/s/req'],
  ['/tv1', 'blank', true, 'v1', '/tv1', '/s'],
  ['/fv1/', 'req', false, 'v1', '/fv1/req', '/sfv1/req'],
  ['/fv1/', 'blank', false, 'v1', '/fv1/', '/sfv1/'],
  ['/tv1/', 'req', true, 'v1', '/tv1/req', '/sreq'],
  ['/tv1/', 'blank', true, 'v1', '/tv1/', '/s'],
];

describe('upstream path: Kong docs table (service path /s)', () => {
  it.each(TABLE)('route %s, %s, strip=%s, %s: %s → %s', (routePath, _kind, strip, handling, requestPath, expected) => {
    expect(joinUpstreamPath('/s', requestPath, routePath, strip, handling)).toBe(expected);
    // One route per row: `/fv0` and `/fv0/` would otherwise compete for the same requests.
    const router = createRouter({
      services: [service({ path: '/s' })],
      routes: [route({ name: 'r', paths: [routePath], strip_path: strip, path_handling: handling })],
    });
    const m = router.match(req({ path: requestPath }));
    expect(m?.matchedPath).toBe(routePath);
    expect(m?.upstreamPath).toBe(expected);
  });
});

describe('upstream path: v0 branches not in the docs table', () => {
  const cases: ReadonlyArray<[string | undefined, string, string | undefined, boolean, string]> = [
    // base "/" (no service path)
    [undefined, '/api/x', '/api', true, '/x'],
    [undefined, '/api', '/api', true, '/'],
    [undefined, '/api/', '/api', true, '/'],
    [undefined, '/api/x', '/api', false, '/api/x'],
    [undefined, '/', '/', false, '/'],
    // base ending with "/"
    ['/s/', '/api/x', '/api', true, '/s/x'],
    ['/s/', '/api/x', '/api/', true, '/s/x'],
    ['/s/', '/api', '/api', true, '/s'],
    ['/s/', '/api/', '/api/', true, '/s/'],
    ['/s/', '/api/x', '/api', false, '/s/api/x'],
    // base without "/" and a postfix without a leading "/"
    ['/s', '/apix', '/api', true, '/s/x'],
    ['/s', '/', '/', false, '/s'],
    // no path matcher: strip removes nothing but the root slash
    ['/s', '/a/b', undefined, true, '/s/a/b'],
    ['/s', '/', undefined, true, '/s'],
    ['/s/', '/a/', undefined, true, '/s/a/'],
    // dot-only postfixes cannot climb above the service path
    ['/s', '/api/..', '/api/', true, '/s'],
    ['/s', '/api/../x', '/api/', true, '/s/x'],
  ];
  it.each(cases)('base %s, request %s, matched %s, strip %s → %s', (base, path, matched, strip, expected) => {
    expect(joinUpstreamPath(base, path, matched, strip, 'v0')).toBe(expected);
  });

  it('v1 drops the duplicate slash between base and postfix', () => {
    expect(joinUpstreamPath('/s/', '/api/x', '/api', true, 'v1')).toBe('/s/x');
    expect(joinUpstreamPath(undefined, '/api/x', '/api', false, 'v1')).toBe('/api/x');
  });
});

describe('upstream path through the router', () => {
  it('strips the whole regex match', () => {
    const router = createRouter({
      services: [service({ path: '/up' })],
      routes: [route({ name: 'model', paths: ['~/models/(?<model>[^/]+)'] })],
    });
    const m = router.match(req({ path: '/models/claude-3/invoke' }));
    expect(m?.matchedPath).toBe('/models/claude-3');
    expect(m?.upstreamPath).toBe('/up/invoke');
  });

  it('keeps the request path for service-less routes and strip_path false', () => {
    const router = createRouter({
      services: [],
      routes: [route({ name: 'keep', paths: ['/v1'], service: null, strip_path: false })],
    });
    expect(router.match(req({ path: '/v1/messages' }))?.upstreamPath).toBe('/v1/messages');
  });

  it('keeps reserved percent-encodings in the upstream path', () => {
    const router = createRouter({ services: [service()], routes: [route({ name: 'm', paths: ['/model'] })] });
    expect(router.match(req({ path: '/model/arn%3Aaws%2Fx' }))?.upstreamPath).toBe('/arn%3Aaws%2Fx');
  });
});
