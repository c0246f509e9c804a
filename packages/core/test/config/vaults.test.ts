/** Kong's env vault: `vaults` entities and {vault://…} references, resolved at load, never printed. */
import { describe, expect, it } from 'vitest';
import { loadFail, loadOk } from './helpers.js';
import { resolve } from '../../src/config/vaults.js';

const head = '_format_version: "3.0"\n';

describe('env vault references', () => {
  it("resolves {vault://env/…} and a configured vault's prefix, anywhere a string is (Kong's env vault)", async () => {
    const config = await loadOk({
      'kong.yaml': `${head}vaults:
  - name: env
    prefix: my-env-vault
    config: {prefix: MY_SECRET_}
services:
  - name: s
    url: "{vault://env/upstream-url}"
    routes: [{name: r, paths: [/]}]
plugins:
  - name: test-limits
    config:
      limit: 1
      api_key: "{vault://my-env-vault/api-key}"
  - name: ai-proxy
    config:
      token: "{vault://env/creds/token}"
      previous: "{vault://my-env-vault/api-key#2}"
      other: "{vault://env/api-key?prefix=OTHER_}"
`,
    }, {
      env: {
        UPSTREAM_URL: 'https://example.com/v1',
        MY_SECRET_API_KEY: 'secret-api-key-1',
        MY_SECRET_API_KEY_PREVIOUS: 'secret-api-key-0',
        OTHER_API_KEY: 'other-key-value',
        CREDS: '{"token": "json-token-value", "n": 1}',
      },
    });
    expect(config.services[0]).toMatchObject({ protocol: 'https', host: 'example.com', path: '/v1' });
    expect(config.plugins.map((p) => p.config)).toEqual([
      { limit: 1, window: 'minute', api_key: 'secret-api-key-1' },
      { token: 'json-token-value', previous: 'secret-api-key-0', other: 'other-key-value' },
    ]);
  });

  it("reports what Kong reports for a reference it can't resolve, without the value", async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}vaults:
  - {name: aws, prefix: my-aws}
  - {name: env, prefix: env}
  - {name: env, prefix: Bad_Prefix}
plugins:
  - name: ai-proxy
    config:
      a: "{vault://env/not-set}"
      b: "{vault://nowhere/x}"
      c: "{vault://env/creds/missing}"
      d: "{vault://env/creds/n}"
  - name: test-limits
    config:
      limit: 1
      api_key: "{vault://env/short}"
`,
    }, { env: { CREDS: '{"n": 1, "secret": "do-not-print-me"}', SHORT: 'abc' } });
    expect(problems).toEqual([
      "kong.yaml:3:12 vaults[0].name: the 'aws' vault is a Kong Enterprise vault gw does not support; the env vault is supported",
      'kong.yaml:4:25 vaults[1].prefix: must not be one of: env',
      'kong.yaml:5:25 vaults[2].prefix: invalid value: a prefix is lower-case letters, digits and -, starting with a letter',
      "kong.yaml:9:10 plugins[0].config.a: no value found (environment variable 'NOT_SET' is not set)",
      'kong.yaml:10:10 plugins[0].config.b: could not find vault (nowhere)',
      'kong.yaml:11:10 plugins[0].config.c: could not get subfield value: subfield missing not found in JSON secret',
      'kong.yaml:12:10 plugins[0].config.d: could not get subfield value: unexpected number value in JSON secret for subfield n',
      'kong.yaml:16:16 plugins[1].config.api_key: length must be at least 8',
    ]);
    expect(problems.join('\n')).not.toContain('do-not-print-me');
  });

  it('in mock mode leaves an unresolvable reference alone and reports nothing about it', async () => {
    const config = await loadOk({ 'kong.yaml': `${head}plugins:\n  - name: ai-proxy\n    config: {a: "{vault://env/not-set}"}\n` }, { mode: 'mock' });
    expect(config.plugins[0].config).toEqual({ a: '{vault://env/not-set}' });
  });

  it('warns about a reference inside a longer string (Kong resolves whole values only)', async () => {
    const config = await loadOk({ 'kong.yaml': `${head}plugins:\n  - name: ai-proxy\n    config: {a: "Bearer {vault://env/token}"}\n` });
    expect(config.warnings).toEqual([
      'kong.yaml:4:17 plugins[0].config.a: looks like a vault reference but is not the whole value; only a whole value {vault://…} is resolved, as in Kong',
    ]);
  });

  it("parses references as Kong's parse_reference does", () => {
    const env = { A_B: 'ab', 'DIR/X': 'dir', A_B_PREVIOUS: 'old' };
    expect(resolve('{vault://env/a-b}', new Map(), env)).toEqual({ value: 'ab' });
    expect(resolve('{vault://env/a-b#2}', new Map(), env)).toEqual({ value: 'old' });
    expect(resolve('{vault://env/dir/x/}', new Map(), env)).toEqual({ value: 'dir' });
    expect(resolve('{vault://env/}', new Map(), env)).toEqual({ error: 'invalid vault reference: reference url has empty path' });
    expect(resolve('{vault://env/a#x}', new Map(), env)).toEqual({ error: 'invalid vault reference: reference url has invalid version' });
  });
});

describe('Enterprise vaults', () => {
  it("are refused by name only, not also for their config's fields", async () => {
    const problems = await loadFail({ 'kong.yaml': `${head}vaults:\n  - {name: hcv, prefix: my-hcv, config: {host: vault.internal, port: 8200, token: t}}\n` });
    expect(problems).toEqual(["kong.yaml:3:12 vaults[0].name: the 'hcv' vault is a Kong Enterprise vault gw does not support; the env vault is supported"]);
  });
});
