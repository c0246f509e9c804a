import { describe, expect, it } from 'vitest';
import type { RouteEntity } from '@gw/plugin-api';
import { createRouter } from '../../src/router/index.js';
import { req, route, service } from './helpers.js';

// 500 routes of the shapes a large config has: per-tenant hosts, per-segment prefixes, some regexes.
function buildRoutes(): RouteEntity[] {
  const routes: RouteEntity[] = [];
  for (let i = 0; i < 200; i++) {
    routes.push(route({ name: `tenant-${i}`, hosts: [`t${i}.example.com`], paths: ['/v1/messages'] }));
  }
  for (let i = 0; i < 200; i++) {
    routes.push(route({ name: `seg-${i}`, paths: [`/svc${i}/api`], methods: ['GET', 'POST'] }));
  }
  for (let i = 0; i < 90; i++) {
    routes.push(route({ name: `rx-${i}`, paths: [`~/rx${i}/(?<id>\\d+)$`] }));
  }
  for (let i = 0; i < 5; i++) {
    routes.push(route({ name: `partial-${i}`, paths: [`/p${i}`] }));
  }
  routes.push(route({ name: 'wild-host', hosts: ['*.wild.test'], paths: ['/w'] }));
  routes.push(route({ name: 'any-regex', paths: ['~/(?:ignored|anything)/(\\w+)'] }));
  routes.push(route({ name: 'header-only', headers: { 'x-tenant': ['special'] } }));
  routes.push(route({ name: 'fallback', paths: ['/'] }));
  routes.push(route({ name: 'root-regex', paths: ['~/[a-z]+/legacy'] }));
  return routes;
}

describe('500 routes', () => {
  const routes = buildRoutes();
  const router = createRouter({ services: [service()], routes });

  it('has every route', () => {
    expect(routes).toHaveLength(500);
    expect(router.size).toBe(500);
  });

  it('routes every request to the right route', () => {
    for (let i = 0; i < 200; i += 7) {
      expect(router.match(req({ host: `t${i}.example.com`, path: '/v1/messages' }))?.route.name).toBe(`tenant-${i}`);
      expect(router.match(req({ method: 'POST', path: `/svc${i}/api/x` }))?.route.name).toBe(`seg-${i}`);
    }
    for (let i = 0; i < 90; i += 9) {
      const m = router.match(req({ path: `/rx${i}/42` }));
      expect(m?.route.name).toBe(`rx-${i}`);
      expect(m?.uriCaptures.id).toBe('42');
    }
    expect(router.match(req({ path: '/p3xyz' }))?.route.name).toBe('partial-3');
    expect(router.match(req({ host: 'a.wild.test', path: '/w/1' }))?.route.name).toBe('wild-host');
    expect(router.match(req({ path: '/anything/abc' }))?.route.name).toBe('any-regex');
    expect(router.match(req({ path: '/foo/legacy' }))?.route.name).toBe('root-regex');
    expect(router.match(req({ path: '/x', headers: { 'x-tenant': 'special' } }))?.route.name).toBe('header-only');
    // Tenant routes need the tenant host; elsewhere the fallback takes the request.
    expect(router.match(req({ host: 'unknown.example.com', path: '/v1/messages' }))?.route.name).toBe('fallback');
    expect(router.match(req({ method: 'DELETE', path: '/svc5/api' }))?.route.name).toBe('fallback');
  });

  it('examines only a handful of candidates per request', () => {
    const always = ['wild-host', 'any-regex', 'header-only', 'fallback', 'root-regex'];
    const tenant = router.candidatesFor(req({ host: 't17.example.com', path: '/v1/messages' })).map((r) => r.name);
    expect(tenant).toContain('tenant-17');
    expect(tenant.length).toBeLessThanOrEqual(always.length + 1);

    const seg = router.candidatesFor(req({ path: '/svc123/api/x' })).map((r) => r.name);
    expect(seg.filter((n) => !always.includes(n!))).toEqual(['seg-123']);

    const rx = router.candidatesFor(req({ path: '/rx12/7' })).map((r) => r.name);
    expect(rx.filter((n) => !always.includes(n!))).toEqual(['rx-12']);

    const partial = router.candidatesFor(req({ path: '/p3/x' })).map((r) => r.name);
    expect(partial.filter((n) => !always.includes(n!))).toEqual(['partial-3']);
  });

  it('lists candidates in evaluation order', () => {
    const names = router.candidatesFor(req({ host: 't1.example.com', path: '/v1/messages' })).map((r) => r.name);
    // host+path (weight 2, plain host) first; the host-less regex routes next; the root prefix last.
    expect(names[0]).toBe('tenant-1');
    expect(names.at(-1)).toBe('fallback');
  });
});
