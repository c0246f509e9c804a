/**
 * gw is not an open relay by default: `gw start` listens on 127.0.0.1 unless --host says otherwise, and
 * both `gw sync` and `gw start` name every route where ai-proxy spends the gateway's credentials with no
 * authentication in front of it, louder when the listener is reachable from other machines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGw, spawnGw } from './support/gw-process.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'gw-cli-open-'))));
afterAll(() => process.env.KEEP_DIR ? undefined : rmSync(dir, { recursive: true, force: true }));

const env = { DECK_AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', DECK_AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key' };

/** Three ai-proxy routes (bedrock: the gateway's AWS keys): open, behind key-auth, behind key-auth with anonymous. */
function config(): string {
  const ai = (route: string) => [
    `  - name: ai-proxy`,
    `    route: ${route}`,
    `    config:`,
    `      route_type: llm/v1/chat`,
    `      llm_format: anthropic`,
    `      auth: { aws_access_key_id: "\${aws_access_key_id}", aws_secret_access_key: "\${aws_secret_access_key}" }`,
    `      model: { provider: bedrock, name: anthropic.claude-x, options: { bedrock: { aws_region: us-east-1 } } }`,
  ];
  const lines = [
    '_format_version: "3.0"',
    'services:',
    '  - name: bedrock',
    '    url: http://127.0.0.1:9',
    '    routes:',
    '      - name: open-route',
    '        paths: [/open]',
    '      - name: guarded',
    '        paths: [/guarded]',
    '      - name: anonymous-ok',
    '        paths: [/anon]',
    '      - name: own-key',
    '        paths: [/own]',
    'consumers:',
    '  - username: guest',
    'plugins:',
    ...ai('open-route'),
    ...ai('guarded'),
    ...ai('anonymous-ok'),
    // Anthropic with no key configured: the client's own key goes through, nothing of the gateway's is spent.
    '  - name: ai-proxy',
    '    route: own-key',
    '    config: { route_type: llm/v1/chat, llm_format: anthropic, model: { provider: anthropic, name: claude-x, options: { anthropic_version: "2023-06-01" } } }',
    '  - name: key-auth',
    '    route: guarded',
    '  - name: key-auth',
    '    route: anonymous-ok',
    '    config: { anonymous: guest }',
  ];
  const file = path.join(dir, 'kong.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('open ai-proxy routes', () => {
  it('gw sync names each route that spends the gateway credentials without authentication, with its position', async () => {
    const file = config();
    const result = await runGw(['sync', '-s', file], { env });
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter(Boolean);
    expect(warnings).toEqual([
      `warning: route 'open-route' (${file}:6:9): ai-proxy calls its upstream with the gateway's own credentials and no authentication plugin (such as key-auth) guards it; anyone who can reach gw can use the gateway's credentials through it`,
      `warning: route 'anonymous-ok' (${file}:10:9): ai-proxy calls its upstream with the gateway's own credentials and key-auth lets requests without a credential through (anonymous); anyone who can reach gw can use the gateway's credentials through it`,
    ]);
    const json = JSON.parse((await runGw(['sync', '-s', file, '--json'], { env })).stdout) as { warnings: string[] };
    expect(json.warnings.map((w) => /^route '([^']+)'/.exec(w)?.[1])).toEqual(['open-route', 'anonymous-ok']);
  });

  it('gw start listens on 127.0.0.1 by default and warns about the open routes', async () => {
    const gw = spawnGw(['start', '-s', config(), '--port', '0'], { env });
    try {
      await gw.waitFor(/gw listening on http:\/\/127\.0\.0\.1:\d+ /);
      const text = gw.output();
      expect(text).toMatch(/warning: route 'open-route' .* anyone who can reach gw can use/);
      expect(text).not.toMatch(/reachable from other machines/);
      expect(text).not.toMatch(/route 'guarded'|route 'own-key'/);
    } finally {
      await gw.stop();
    }
  });

  it('gw start warns louder when the listener is reachable from other machines', async () => {
    // A documentation address (TEST-NET-1) that this machine doesn't have: the warning comes before the
    // listener fails to bind, so no test listens beyond loopback.
    const result = await runGw(['start', '-s', config(), '--port', '0', '--host', '192.0.2.1'], { env });
    expect(result.stderr).toMatch(/warning: route 'open-route' .*gw listens on 192\.0\.2\.1, reachable from other machines: anyone on the network can use the gateway's credentials through it/);
    expect(result.stderr).toMatch(/warning: route 'anonymous-ok' .*reachable from other machines/);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/EADDRNOTAVAIL/);
  });
});
