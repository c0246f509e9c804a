import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/router/index.js';
import { req, route, service } from './helpers.js';

const services = [service()];

describe('hosts', () => {
  const router = createRouter({
    services,
    routes: [
      route({ name: 'exact', hosts: ['api.example.com'] }),
      route({ name: 'left', hosts: ['*.example.com'] }),
      route({ name: 'right', hosts: ['example.*'] }),
      route({ name: 'ported', hosts: ['ported.test:8443'] }),
      route({ name: 'upper', hosts: ['UPPER.test'] }),
    ],
  });
  const name = (host: string, port = 80) => router.match(req({ host, port }))?.route.name ?? null;

  it('prefers an exact host over a wildcard one', () => {
    expect(name('api.example.com')).toBe('exact');
  });
  it('matches a leftmost wildcard on any depth of subdomain, but not the bare domain', () => {
    expect(name('www.example.com')).toBe('left');
    expect(name('a.b.example.com')).toBe('left');
    // `example.com` is not under `*.example.com`; it is caught by `example.*` instead.
    expect(name('example.com')).toBe('right');
    expect(name('notexample.com')).toBeNull();
  });
  it('matches a rightmost wildcard', () => {
    expect(name('example.org')).toBe('right');
    expect(name('example.co.uk')).toBe('right');
    expect(name('myexample.org')).toBeNull();
  });
  it('ignores the port unless the route host names one', () => {
    expect(name('api.example.com', 8080)).toBe('exact');
    expect(name('ported.test', 8443)).toBe('ported');
    expect(name('ported.test', 80)).toBeNull();
  });
  it('compares hosts case-insensitively (input host is already lower-case)', () => {
    expect(name('upper.test')).toBe('upper');
    expect(name('API.Example.com')).toBe('exact');
  });
  it('rejects invalid wildcards at build time', () => {
    expect(() => createRouter({ services, routes: [route({ name: 'w', hosts: ['*.a.*'] })] })).toThrow(
      /at most one wildcard/,
    );
    expect(() => createRouter({ services, routes: [route({ name: 'w', hosts: ['a.*.com'] })] })).toThrow(
      /leftmost or rightmost/,
    );
  });
});

describe('methods, protocols, snis', () => {
  const router = createRouter({
    services,
    routes: [
      route({ name: 'post', paths: ['/m'], methods: ['POST', 'put'] }),
      route({ name: 'https-only', paths: ['/secure'], protocols: ['https'] }),
      route({ name: 'sni', paths: ['/sni'], snis: ['tls.test.'], protocols: ['https'] }),
      route({ name: 'grpc', paths: ['/grpc'], protocols: ['grpc', 'grpcs'] }),
    ],
  });
  it('matches any listed method, case-insensitively', () => {
    expect(router.match(req({ method: 'POST', path: '/m' }))?.route.name).toBe('post');
    expect(router.match(req({ method: 'PUT', path: '/m' }))?.route.name).toBe('post');
    expect(router.match(req({ method: 'GET', path: '/m' }))).toBeNull();
  });
  it('requires the request scheme among the route protocols', () => {
    expect(router.match(req({ path: '/secure', scheme: 'https' }))?.route.name).toBe('https-only');
    expect(router.match(req({ path: '/secure', scheme: 'http' }))).toBeNull();
    expect(router.match(req({ path: '/grpc' }))).toBeNull();
  });
  it('checks SNIs on https, with the host standing in and the trailing dot ignored', () => {
    expect(router.match(req({ path: '/sni', scheme: 'https', host: 'tls.test' }))?.route.name).toBe('sni');
    expect(router.match(req({ path: '/sni', scheme: 'https', host: 'x.test', sni: 'tls.test' }))?.route.name).toBe(
      'sni',
    );
    expect(router.match(req({ path: '/sni', scheme: 'https', host: 'other.test' }))).toBeNull();
  });
});

describe('headers', () => {
  const router = createRouter({
    services,
    routes: [
      route({ name: 'two', headers: { 'X-Version': ['v2', 'V3'], 'x-team': ['ai'] } }),
      route({ name: 'regex', headers: { 'x-version': ['~*^beta-\\d+$'] } }),
      route({ name: 'one', headers: { 'x-version': ['v2'] } }),
    ],
  });
  const name = (headers: Record<string, string | string[] | undefined>) =>
    router.match(req({ headers }))?.route.name ?? null;

  it('ANDs names, ORs values, compares case-insensitively', () => {
    expect(name({ 'x-version': 'V2', 'x-team': 'AI' })).toBe('two');
    expect(name({ 'X-Version': 'v3', 'X-Team': 'ai' })).toBe('two');
    expect(name({ 'x-version': 'v2' })).toBe('one');
    expect(name({ 'x-version': 'v3' })).toBeNull();
  });
  it('matches any of several values of one header', () => {
    expect(name({ 'x-version': ['nope', 'v2'] })).toBe('one');
    expect(name({ 'x-version': undefined })).toBeNull();
  });
  it("keeps a ~* pattern's escapes as written (Kong lower-cases them: \\D would become \\d)", () => {
    const r = createRouter({ services, routes: [route({ name: 'non-digits', headers: { 'x-id': ['~*^\\D+$'] } })] });
    expect(r.match(req({ headers: { 'x-id': 'ABC' } }))?.route.name).toBe('non-digits');
    expect(r.match(req({ headers: { 'x-id': '123' } }))).toBeNull();
  });
  it('treats ~* values as case-insensitive regexes', () => {
    expect(name({ 'x-version': 'BETA-12' })).toBe('regex');
    expect(name({ 'x-version': 'beta-x' })).toBeNull();
  });
});

describe('regex paths', () => {
  const router = createRouter({
    services,
    routes: [
      route({ name: 'pcre', paths: ['~/model/(?P<id>[^/]+)/(invoke|converse)(?<stream>-with-response-stream)?$'] }),
      route({ name: 'ci', paths: ['~(?i)/CASE/'] }),
      route({ name: 'anchored', paths: ['~/x|/y'] }),
    ],
  });

  it('returns numbered and named captures as strings, omitting unmatched groups', () => {
    const m = router.match(req({ path: '/model/anthropic.claude-v2/invoke' }));
    expect(m?.route.name).toBe('pcre');
    expect(m?.uriCaptures).toEqual({ '0': '/model/anthropic.claude-v2/invoke', '1': 'anthropic.claude-v2', '2': 'invoke', id: 'anthropic.claude-v2' });
    const s = router.match(req({ path: '/model/m/converse-with-response-stream' }));
    expect(s?.uriCaptures.stream).toBe('-with-response-stream');
    expect(s?.uriCaptures['3']).toBe('-with-response-stream');
  });
  it('anchors every alternative at the start of the path', () => {
    expect(router.match(req({ path: '/y/1' }))?.route.name).toBe('anchored');
    expect(router.match(req({ path: '/z/y' }))).toBeNull();
    expect(router.match(req({ path: '/prefix/model/m/invoke' }))).toBeNull();
  });
  it('honours a leading (?i)', () => {
    expect(router.match(req({ path: '/case/x' }))?.route.name).toBe('ci');
  });
  it('gives prefix routes no captures', () => {
    const r = createRouter({ services, routes: [route({ name: 'p', paths: ['/p'] })] });
    expect(r.match(req({ path: '/p/q' }))?.uriCaptures).toEqual({});
  });
  it('rejects regexes JS cannot run, naming the route', () => {
    expect(() => createRouter({ services, routes: [route({ name: 'bad', paths: ['~/a(?>b)'] })] })).toThrow(
      /route bad: invalid regex.*atomic/,
    );
    expect(() => createRouter({ services, routes: [route({ name: 'bad2', paths: ['~/a(b'] })] })).toThrow(
      /route bad2: invalid regex/,
    );
  });
});

describe('services', () => {
  it('rejects a route pointing at an unknown service', () => {
    expect(() => createRouter({ services, routes: [route({ name: 'r', paths: ['/'], service: { id: 'nope' } })] })).toThrow(
      /route r: unknown service 'nope'/,
    );
  });
});
