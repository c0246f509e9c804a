import { describe, expect, it } from 'vitest';
import { loadOk, loadFail } from './helpers.js';
import { renderEnvTokens } from '../../src/config/env.js';

const head = '_format_version: "3.0"\n';

describe('environment substitution', () => {
  it('reads decK templates and the $name / ${name} shorthand from DECK_ variables', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}plugins:
  - name: ai-proxy
    config:
      a: \${{ env "DECK_AWS_REGION" }}
      b: "\${aws_region}"
      c: $aws_region
      d: prefix-\${aws_region}-suffix
      e: \${DECK_AWS_REGION}
`,
    }, { env: { DECK_AWS_REGION: 'us-west-2' } });
    expect(config.plugins[0].config).toEqual({ a: 'us-west-2', b: 'us-west-2', c: 'us-west-2', d: 'prefix-us-west-2-suffix', e: 'us-west-2' });
  });

  it('keeps $$ as a literal $ and a $ not followed by a name, so regex anchors work', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}routes:
  - name: r
    paths: ['~/items/\\d+$', '~/v1$|^/v2']
plugins:
  - name: file-log
    config: {price: "$$5", dollar: "a $ b", cost: $$aws_region}
`,
    }, { env: {} });
    expect(config.routes[0].paths).toEqual(['~/items/\\d+$', '~/v1$|^/v2']);
    expect(config.plugins[0].config).toEqual({ price: '$5', dollar: 'a $ b', cost: '$aws_region' });
  });

  it('substitutes values as scalars: ": " and "#" cannot change the YAML structure', async () => {
    const value = 'abc: def # not a comment\nnext: line';
    const config = await loadOk({
      'kong.yaml': `${head}plugins:
  - name: ai-proxy
    config:
      secret: \${{ env "DECK_TRICKY" }}
      flow: {secret: \${{ env "DECK_TRICKY" }}, other: 1}
      list: [$tricky, x]
`,
    }, { env: { DECK_TRICKY: value } });
    expect(config.plugins[0].config).toEqual({ secret: value, flow: { secret: value, other: 1 }, list: [value, 'x'] });
  });

  it('types a whole unquoted reference like decK (number, boolean); quoted stays a string', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: s
    host: localhost
    protocol: https
    port: \${{ env "DECK_PORT" }}
    retries: \${{ env "DECK_RETRIES" | toInt }}
    tls_verify: \${{ env "DECK_VERIFY" | toBool }}
    tags: ["$port"]
`,
    }, { env: { DECK_PORT: '8080', DECK_RETRIES: '3', DECK_VERIFY: 'true' } });
    expect(config.services[0]).toMatchObject({ port: 8080, retries: 3, tls_verify: true, tags: ['8080'] });
  });

  it('leaves YAML comment lines alone, including unset variables in them', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}# url: \${{ env "DECK_UNSET" }} and $unset_too
services:
  - name: s
    url: http://localhost
`,
    }, { env: {} });
    expect(config.services).toHaveLength(1);
  });

  it('reports unset variables by name, never by value, with their position', async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}services:
  - name: s
    url: \${{ env "DECK_UPSTREAM_URL" }}
    host: $upstream_host
`,
    }, { env: { DECK_OTHER: 'super-secret-value' } });
    expect(problems).toEqual([
      "kong.yaml:4:10 services[0].url: environment variable 'DECK_UPSTREAM_URL' present in state file but not set",
      "kong.yaml:5:11 services[0].host: environment variable 'DECK_UPSTREAM_HOST' present in state file but not set",
    ]);
  });

  it('requires the DECK_ prefix in templates', async () => {
    const problems = await loadFail({ 'kong.yaml': `${head}services:\n  - name: s\n    url: \${{ env "URL" }}\n` });
    expect(problems).toEqual(["kong.yaml:4:10 services[0].url: environment variables in the state file must be prefixed with 'DECK_', found: 'URL'"]);
  });

  it('mock mode replaces unset variables by placeholders', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}plugins:
  - name: ai-proxy
    config:
      key: \${{ env "DECK_AWS_ACCESS_KEY_ID" }}
      region: $aws_region
      on: \${{ env "DECK_FLAG" | toBool }}
      n: \${{ env "DECK_N" | toInt }}
`,
    }, { env: { DECK_AWS_REGION: 'eu-west-1' }, mode: 'mock' });
    expect(config.plugins[0].config).toEqual({ key: 'DECK_AWS_ACCESS_KEY_ID', region: 'eu-west-1', on: false, n: 42 });
    expect(config.warnings).toEqual([]);
  });

  it('mock mode does not report problems caused by a placeholder itself', async () => {
    const config = await loadOk({
      'kong.yaml': `${head}services:
  - name: s
    url: \${upstream_url}
    retries: $retries
`,
    }, { env: {}, mode: 'mock' });
    expect(config.services[0].name).toBe('s');
    const problems = await loadFail({ 'kong.yaml': `${head}services:\n  - name: s\n    url: $upstream_url\n    bogus: 1\n` }, { env: {}, mode: 'mock' });
    expect(problems).toEqual(['kong.yaml:5:5 services[0].bogus: unknown field']);
  });

  it('a substituted secret never appears in a problem message', async () => {
    const problems = await loadFail({
      'kong.yaml': `${head}services:\n  - name: $svc\n    url: http://a\n  - name: $svc\n    url: http://b\n`,
    }, { env: { DECK_SVC: 'name-that-is-secret' } });
    expect(problems.join('\n')).not.toContain('name-that-is-secret');
    expect(problems).toEqual(["kong.yaml:5:11 services[1].name: duplicate service name '***' (also declared at kong.yaml:3:5)"]);
  });

  it('maps positions after a rendered reference back to the source', () => {
    const source = 'a: ${{ env "DECK_A" }} $$ $b\nc: 1\n';
    const r = renderEnvTokens(source);
    expect(r.refs.size).toBe(2);
    const cOffset = r.text.indexOf('c: 1');
    expect(r.toSourceOffset(cOffset)).toBe(source.indexOf('c: 1'));
    expect(r.text).toContain(' $ ');
  });
});
