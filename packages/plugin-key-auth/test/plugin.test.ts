import { describe, expect, it } from 'vitest';
import { GatewayError, type LogRecord } from '@gw/plugin-api';
import keyAuth, { IDENTITY_REALMS_UNSUPPORTED, KEY_IN_BODY_UNSUPPORTED, PRINCIPALS_UNSUPPORTED, validateConfig } from '../src/index.js';
import { alice, bob, DEFAULTS, fakeContext, guest, instance, run, upstreamOf } from './fake-context.js';

function expectGatewayError(error: unknown, code: string, message: string, challenge = 'Key') {
  expect(GatewayError.is(error)).toBe(true);
  const e = error as GatewayError;
  expect({ code: e.code, status: e.status, message: e.message, headers: e.headers }).toEqual({
    code,
    status: 401,
    message,
    headers: { 'WWW-Authenticate': challenge },
  });
}

describe('key-auth definition', () => {
  it("has Kong's name and priority and refuses key_in_body", () => {
    expect(keyAuth.name).toBe('key-auth');
    expect(keyAuth.priority).toBe(1250);
    expect(keyAuth.scopes).toEqual({ consumer: false });
    expect(validateConfig({ ...DEFAULTS, key_in_body: true })).toEqual([{ path: 'key_in_body', message: KEY_IN_BODY_UNSUPPORTED }]);
    expect(validateConfig(DEFAULTS)).toEqual([]);
  });

  it("accepts Kong Enterprise's identity_realms and principals defaults (local consumers, off) and refuses the rest by name", () => {
    const enterpriseDump = { ...DEFAULTS, identity_realms: [{ id: null, region: null, scope: 'cp' }], principals: { directory: 'default', enabled: false, error_on_miss: true } };
    expect(validateConfig(enterpriseDump)).toEqual([]);
    expect(validateConfig({ ...DEFAULTS, identity_realms: [{ scope: 'cp' }, { id: 'r1', region: 'us', scope: 'realm' }], principals: { enabled: true } })).toEqual([
      { path: 'identity_realms[1]', message: IDENTITY_REALMS_UNSUPPORTED },
      { path: 'principals.enabled', message: PRINCIPALS_UNSUPPORTED },
    ]);
  });
});

describe('key-auth access', () => {
  it('answers 401 "No API key found in request" with WWW-Authenticate: Key when no key is sent', async () => {
    const { error } = await run(fakeContext());
    expectGatewayError(error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
  });

  it('puts the realm in WWW-Authenticate on every 401', async () => {
    expectGatewayError((await run(fakeContext(), { realm: 'gw' })).error, 'GW_ERR_NO_API_KEY', 'No API key found in request', 'Key realm="gw"');
    const bad = fakeContext({ headers: { apikey: 'nope' } });
    expectGatewayError((await run(bad, { realm: 'gw' })).error, 'GW_ERR_UNAUTHORIZED', 'Unauthorized', 'Key realm="gw"');
  });

  it('answers 401 "Unauthorized" (Kong 3.10) for a key no consumer has', async () => {
    const ctx = fakeContext({ headers: { apikey: 'wrong' } });
    const { error } = await run(ctx);
    expectGatewayError(error, 'GW_ERR_UNAUTHORIZED', 'Unauthorized');
    expect(ctx.consumer).toBeNull();
  });

  it('treats an empty key as no key', async () => {
    expectGatewayError((await run(fakeContext({ headers: { apikey: '' } }))).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
    expectGatewayError((await run(fakeContext({ query: 'apikey=' }))).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
  });

  it('authenticates by header with the credential id, and redacts every key header', async () => {
    const ctx = fakeContext({ headers: { apikey: 'alice-key' } });
    const { error } = await run(ctx, { key_names: ['apikey', 'X_Api_Key'] });
    expect(error).toBeUndefined();
    expect(ctx.authenticated).toEqual([{ consumer: alice, credentialId: 'cred-alice' }]);
    expect(ctx.redacted).toEqual(['apikey', 'x_api_key', 'x-api-key']);
  });

  it('matches header names case-insensitively and underscores to hyphens, like nginx', async () => {
    const ctx = fakeContext({ headers: { 'x-api-key': 'alice-key' } });
    expect((await run(ctx, { key_names: ['X_API_KEY'] })).error).toBeUndefined();
    expect(ctx.consumer).toBe(alice);
  });

  it('decodes a query key (+ and %XX)', async () => {
    const ctx = fakeContext({ query: 'a=1&apikey=bob+key%2B1' });
    expect((await run(ctx)).error).toBeUndefined();
    expect(ctx.authenticated).toEqual([{ consumer: bob, credentialId: 'cred-bob' }]);
  });

  it('checks names in order, header before query for each name', async () => {
    const ctx = fakeContext({ headers: { second: 'bob key+1' }, query: 'first=alice-key' });
    await run(ctx, { key_names: ['first', 'second'] });
    expect(ctx.consumer).toBe(alice);
    const headerFirst = fakeContext({ headers: { apikey: 'bob key+1' }, query: 'apikey=alice-key' });
    await run(headerFirst);
    expect(headerFirst.consumer).toBe(bob);
  });

  it('skips a bare ?apikey (not a string in Kong either)', async () => {
    const ctx = fakeContext({ query: 'apikey&other=alice-key' });
    expect((await run(ctx, { key_names: ['apikey', 'other'] })).error).toBeUndefined();
    expect(ctx.consumer).toBe(alice);
  });

  it('answers "Duplicate API key found" for a repeated query key', async () => {
    const { error } = await run(fakeContext({ query: 'apikey=alice-key&apikey=alice-key' }));
    expectGatewayError(error, 'GW_ERR_UNAUTHORIZED', 'Duplicate API key found');
  });

  it('honours key_in_header and key_in_query', async () => {
    const header = fakeContext({ headers: { apikey: 'alice-key' } });
    expectGatewayError((await run(header, { key_in_header: false })).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
    const query = fakeContext({ query: 'apikey=alice-key' });
    expectGatewayError((await run(query, { key_in_query: false })).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
  });

  it('accepts `authorization: Bearer <key>` for the key name authorization (gw extension), and the bare key', async () => {
    for (const value of ['Bearer alice-key', 'bearer alice-key', 'alice-key']) {
      const ctx = fakeContext({ headers: { authorization: value } });
      expect((await run(ctx, { key_names: ['authorization'] })).error).toBeUndefined();
      expect(ctx.consumer).toBe(alice);
    }
    // Only for that name: elsewhere the value must be the key exactly, as in Kong.
    const other = fakeContext({ headers: { 'x-api-key': 'Bearer alice-key' } });
    expectGatewayError((await run(other, { key_names: ['x-api-key'] })).error, 'GW_ERR_UNAUTHORIZED', 'Unauthorized');
  });

  it('lets OPTIONS through without a key when run_on_preflight is false, and not otherwise', async () => {
    const preflight = fakeContext({ method: 'OPTIONS' });
    const skipped = await run(preflight, { run_on_preflight: false });
    expect(skipped.error).toBeUndefined();
    expect(preflight.authenticated).toEqual([]);
    expect(preflight.redacted).toEqual(['apikey']);
    expectGatewayError((await run(fakeContext({ method: 'OPTIONS' }))).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
    expectGatewayError((await run(fakeContext(), { run_on_preflight: false })).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
  });

  it('falls back to the anonymous consumer (by username or id) without a credential', async () => {
    for (const anonymous of ['guest', guest.id]) {
      for (const shape of [{}, { headers: { apikey: 'wrong' } }, { query: 'apikey=1&apikey=2' }]) {
        const ctx = fakeContext(shape);
        const { error } = await run(ctx, { anonymous });
        expect(error).toBeUndefined();
        expect(ctx.authenticated).toEqual([{ consumer: guest, credentialId: undefined }]);
      }
    }
    const ok = fakeContext({ headers: { apikey: 'alice-key' } });
    await run(ok, { anonymous: 'guest' });
    expect(ok.consumer).toBe(alice);
  });

  it('treats anonymous "" as unset', async () => {
    expectGatewayError((await run(fakeContext(), { anonymous: '' })).error, 'GW_ERR_NO_API_KEY', 'No API key found in request');
  });

  it("answers 500 when the anonymous consumer doesn't exist", async () => {
    const { error } = await run(fakeContext(), { anonymous: 'nobody' });
    expect(GatewayError.is(error)).toBe(true);
    expect((error as GatewayError).status).toBe(500);
    expect((error as GatewayError).message).toBe("anonymous consumer nobody is configured but doesn't exist");
  });
});

describe('key-auth upstream', () => {
  it('removes the key header and every query arg of that name with hide_credentials', async () => {
    const ctx = fakeContext({ headers: { apikey: 'alice-key', other: 'x' }, query: 'a=1&apikey=zzz&b=2&apikey' });
    const upstream = upstreamOf(ctx);
    await run(ctx, { hide_credentials: true }, upstream);
    expect(upstream.headers.apikey).toBeUndefined();
    expect(upstream.headers.other).toBe('x');
    expect(upstream.query).toBe('a=1&b=2');
  });

  it('removes the hyphenated header of an underscored key name', async () => {
    const ctx = fakeContext({ headers: { 'x-api-key': 'alice-key' } });
    const upstream = upstreamOf(ctx);
    await run(ctx, { hide_credentials: true, key_names: ['x_api_key'] }, upstream);
    expect(upstream.headers['x-api-key']).toBeUndefined();
  });

  it('keeps the key without hide_credentials', async () => {
    const ctx = fakeContext({ query: 'apikey=alice-key' });
    const upstream = upstreamOf(ctx);
    await run(ctx, {}, upstream);
    expect(upstream.query).toBe('apikey=alice-key');
  });

  it("sends Kong's consumer headers and replaces client-sent ones", async () => {
    const ctx = fakeContext({ headers: { apikey: 'alice-key', 'x-consumer-username': 'mallory', 'x-anonymous-consumer': 'true' } });
    const upstream = upstreamOf(ctx);
    await run(ctx, {}, upstream);
    expect(upstream.headers).toMatchObject({
      'x-consumer-id': alice.id,
      'x-consumer-custom-id': 'A-1',
      'x-consumer-username': 'alice',
      'x-credential-identifier': 'cred-alice',
    });
    expect(upstream.headers['x-anonymous-consumer']).toBeUndefined();

    const anon = fakeContext({ headers: { 'x-credential-identifier': 'forged' } });
    const up2 = upstreamOf(anon);
    await run(anon, { anonymous: 'guest' }, up2);
    expect(up2.headers).toMatchObject({ 'x-consumer-id': guest.id, 'x-consumer-username': 'guest', 'x-anonymous-consumer': 'true' });
    expect(up2.headers['x-credential-identifier']).toBeUndefined();
    expect(up2.headers['x-consumer-custom-id']).toBeUndefined();
  });
});

describe('key-auth log', () => {
  function record(uri: string): LogRecord {
    const q = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '';
    return {
      request: { id: 'r', uri, url: `http://127.0.0.1:8000${uri}`, querystring: Object.fromEntries(new URLSearchParams(q)), method: 'GET', headers: {}, size: 0 },
      upstream_uri: uri,
      upstream_status: '200',
      response: { status: 200, headers: {}, size: 0 },
      latencies: { kong: 0, proxy: 0, request: 0, receive: 0 },
      tries: [],
      route: null,
      service: null,
      consumer: null,
      client_ip: '127.0.0.1',
      started_at: 0,
      source: 'upstream',
    };
  }

  it('replaces query keys in uri, url, upstream_uri and querystring with REDACTED', async () => {
    const ctx = fakeContext({ query: 'a=1&apikey=alice-key&token=t' });
    const { config, state } = instance({ key_names: ['apikey', 'token'] });
    const rec = record('/v1/messages?a=1&apikey=alice-key&token=t');
    await keyAuth.log!({ ctx, config, state, local: {}, record: rec });
    expect(rec.request.uri).toBe('/v1/messages?a=1&apikey=REDACTED&token=REDACTED');
    expect(rec.request.url).toBe('http://127.0.0.1:8000/v1/messages?a=1&apikey=REDACTED&token=REDACTED');
    expect(rec.upstream_uri).toBe('/v1/messages?a=1&apikey=REDACTED&token=REDACTED');
    expect(rec.request.querystring).toEqual({ a: '1', apikey: 'REDACTED', token: 'REDACTED' });
    expect(JSON.stringify(rec)).not.toContain('alice-key');
  });
});
