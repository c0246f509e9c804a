/**
 * The bundled plugins' scope and protocol declarations, through the config loader (what `gw sync` does):
 * Kong's key-auth schema has `consumer = typedefs.no_consumer` and `protocols = typedefs.protocols_http`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, loadConfig, type AnyPlugin } from '@gw/core';
import aiProxy from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import opentelemetry from '@gw/plugin-opentelemetry';
import prometheus from '@gw/plugin-prometheus';

const registry = new Map<string, AnyPlugin>([aiProxy, fileLog, keyAuth, opentelemetry, prometheus].map((p) => [p.name, p as AnyPlugin]));

async function load(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bundled-'));
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, text);
  const result = await loadConfig([file], { plugins: registry, env: {} });
  return result.ok ? { ok: true as const, config: result.config, warnings: result.warnings.map((w) => w.split(`${dir}/`).join('')) } : { ok: false as const, problems: result.problems.map((p) => formatProblem(p).split(`${dir}/`).join('')) };
}

describe('bundled plugin scope rules', () => {
  it("refuses key-auth scoped to a consumer, as Kong's no_consumer does", async () => {
    const result = await load(`_format_version: "3.0"
consumers:
  - username: alice
    plugins:
      - name: key-auth
  - username: bob
plugins:
  - name: key-auth
    consumer: bob
    protocols: [tcp]
`);
    expect(result).toEqual({
      ok: false,
      problems: [
        "kong.yaml:5:9 consumers[0].plugins[0]: plugin 'key-auth' cannot be scoped to a consumer (Kong: consumer: value must be null)",
        "kong.yaml:9:5 plugins[0].consumer: plugin 'key-auth' cannot be scoped to a consumer (Kong: value must be null)",
        'kong.yaml:10:17 plugins[0].protocols[0]: expected one of: grpc, grpcs, http, https, ws, wss',
      ],
    });
  });

  it("gives each plugin its own protocols default (ai-proxy's includes ws, wss)", async () => {
    const result = await load(`_format_version: "3.0"
plugins:
  - name: key-auth
  - name: file-log
    config: {path: /tmp/gw-bundled.log}
`);
    expect(result.ok && result.config.plugins.map((p) => [p.name, p.protocols])).toEqual([
      ['key-auth', ['grpc', 'grpcs', 'http', 'https']],
      ['file-log', ['grpc', 'grpcs', 'http', 'https']],
    ]);
    expect(aiProxy.protocols?.default).toEqual(['grpc', 'grpcs', 'http', 'https', 'ws', 'wss']);
  });
});
