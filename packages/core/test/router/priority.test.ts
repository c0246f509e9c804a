import { describe, expect, it } from 'vitest';
import type { RouteEntity } from '@gw/plugin-api';
import { createRouter, type MatchInput } from '../../src/router/index.js';
import { req, route, service } from './helpers.js';

// Kong's priority (docs/reference/kong.md#route-matching-and-priority): weight, plain-host-only,
// header count, regex bit, regex_priority, prefix length.
function winner(routes: RouteEntity[], input: Partial<MatchInput>): string | null {
  return createRouter({ services: [service()], routes }).match(req(input))?.route.name ?? null;
}

describe('traditional_compatible priority', () => {
  it('1. more matching fields win over a longer path', () => {
    const routes = [
      route({ name: 'long-path', paths: ['/v1/messages/count'] }),
      route({ name: 'path+method', paths: ['/v1'], methods: ['POST'] }),
    ];
    expect(winner(routes, { method: 'POST', path: '/v1/messages/count' })).toBe('path+method');
    expect(winner(routes, { method: 'GET', path: '/v1/messages/count' })).toBe('long-path');
  });

  it('1b. the number of fields outranks plain hosts (the documented layout, not Kong\'s 32-bit packing)', () => {
    const routes = [
      route({ name: 'plain-host-only', hosts: ['api.example.com'] }),
      route({ name: 'wildcard-method-path', hosts: ['*.example.com'], methods: ['GET'], paths: ['/a'] }),
    ];
    expect(winner(routes, { host: 'api.example.com', path: '/a' })).toBe('wildcard-method-path');
  });

  it('2. plain hosts beat wildcard hosts at equal weight', () => {
    const routes = [
      route({ name: 'wild', hosts: ['*.example.com'], paths: ['/a/longer'] }),
      route({ name: 'plain', hosts: ['api.example.com', 'b.example.com'], paths: ['/a'] }),
    ];
    expect(winner(routes, { host: 'api.example.com', path: '/a/longer' })).toBe('plain');
    expect(winner(routes, { host: 'c.example.com', path: '/a/longer' })).toBe('wild');
  });

  it('2b. one wildcard among the hosts loses the plain-host bit', () => {
    const routes = [
      route({ name: 'mixed', hosts: ['api.example.com', '*.other.com'], paths: ['/a/longer'] }),
      route({ name: 'plain', hosts: ['api.example.com'], paths: ['/a'] }),
    ];
    expect(winner(routes, { host: 'api.example.com', path: '/a/longer' })).toBe('plain');
  });

  it('3. more headers win at equal weight and host kind', () => {
    const routes = [
      route({ name: 'one-header', headers: { a: ['1'] }, paths: ['/long/path'] }),
      route({ name: 'two-headers', headers: { a: ['1'], b: ['2'] }, paths: ['/'] }),
    ];
    expect(winner(routes, { headers: { a: '1', b: '2' }, path: '/long/path' })).toBe('two-headers');
    expect(winner(routes, { headers: { a: '1' }, path: '/long/path' })).toBe('one-header');
  });

  it('4. regex paths are evaluated before prefix paths at equal weight', () => {
    const routes = [
      route({ name: 'prefix', paths: ['/v1/messages'] }),
      route({ name: 'regex', paths: ['~/v1/.*'] }),
    ];
    expect(winner(routes, { path: '/v1/messages' })).toBe('regex');
    expect(winner(routes, { path: '/v1' })).toBeNull();
  });

  it('5. higher regex_priority first among regex routes', () => {
    const routes = [
      route({ name: 'low', paths: ['~/items/\\d+'], regex_priority: 0 }),
      route({ name: 'high', paths: ['~/items/'], regex_priority: 10 }),
      route({ name: 'negative', paths: ['~/items/1'], regex_priority: -5 }),
    ];
    expect(winner(routes, { path: '/items/1' })).toBe('high');
    expect(winner(routes.filter((r) => r.name !== 'high'), { path: '/items/1' })).toBe('low');
  });

  it('5b. regex_priority is ignored for prefix routes', () => {
    const routes = [
      route({ name: 'short', paths: ['/a'], regex_priority: 100 }),
      route({ name: 'long', paths: ['/a/b'] }),
    ];
    expect(winner(routes, { path: '/a/b/c' })).toBe('long');
  });

  it('6. the longest prefix wins', () => {
    const routes = [
      route({ name: 'root', paths: ['/'] }),
      route({ name: 'v1', paths: ['/v1'] }),
      route({ name: 'messages', paths: ['/v1/messages'] }),
    ];
    expect(winner(routes, { path: '/v1/messages/count_tokens' })).toBe('messages');
    expect(winner(routes, { path: '/v1/models' })).toBe('v1');
    expect(winner(routes, { path: '/v2' })).toBe('root');
  });

  it('splits a route whose paths differ in kind or length, each part with its own priority', () => {
    const routes = [
      route({ name: 'split', paths: ['/a', '/abc/def', '~/re/'] }),
      route({ name: 'mid', paths: ['/abc'] }),
    ];
    expect(winner(routes, { path: '/abc/def/x' })).toBe('split');
    expect(winner(routes, { path: '/abc/x' })).toBe('mid');
    expect(winner(routes, { path: '/ax' })).toBe('split');
    expect(winner(routes, { path: '/re/x' })).toBe('split');
  });

  it('breaks ties as Kong does: the greater declared id first, created_at ignored', () => {
    const low = route({ name: 'low', id: 'aaaaaaaa-0000-4000-8000-000000000001', paths: ['/same'], created_at: 100 });
    const high = route({ name: 'high', id: 'bbbbbbbb-0000-4000-8000-000000000001', paths: ['/same'], created_at: 200 });
    expect(winner([low, high], { path: '/same' })).toBe('high');
    expect(winner([high, low], { path: '/same' })).toBe('high');
  });

  it('puts routes without a declared id after declared ones, in file order', () => {
    const first = route({ name: 'first', paths: ['/same'] });
    const second = route({ name: 'second', paths: ['/same'] });
    const declared = route({ name: 'declared', id: '00000000-0000-4000-8000-000000000000', paths: ['/same'] });
    const run = (routes: RouteEntity[]) =>
      createRouter({ services: [service()], routes, declaredIds: new Set([declared.id]) }).match(req({ path: '/same' }))?.route.name;
    expect(run([first, second])).toBe('first');
    expect(run([second, first])).toBe('second');
    expect(run([first, second, declared])).toBe('declared');
  });

  it('among undeclared ids, puts a route whose hosts name a port first', () => {
    const plain = route({ name: 'plain', hosts: ['domain-1.org'] });
    const ported = route({ name: 'ported', hosts: ['domain-1.org:22321'] });
    const run = (routes: RouteEntity[], port: number) =>
      createRouter({ services: [service()], routes, declaredIds: new Set() }).match(req({ host: 'domain-1.org', port }))?.route.name;
    expect(run([plain, ported], 22321)).toBe('ported');
    expect(run([plain, ported], 80)).toBe('plain');
  });

  it('falls through to the next candidate when a higher one fails another field', () => {
    const routes = [
      route({ name: 'post-only', paths: ['/v1/messages'], methods: ['POST'], hosts: ['api.test'] }),
      route({ name: 'catch-all', paths: ['/'] }),
    ];
    expect(winner(routes, { host: 'api.test', method: 'GET', path: '/v1/messages' })).toBe('catch-all');
  });
});
