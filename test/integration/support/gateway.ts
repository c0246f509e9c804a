/**
 * The real gateway in-process, wired like `gw start` (packages/cli/src/commands/start.ts): a kong.yaml in a
 * temp folder → loadConfig → createGateway with the bundled plugins, listening on 127.0.0.1:0.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import aiProxy, { aiProxyAdvancedPlugin } from '@gw/plugin-ai-proxy';
import fileLog from '@gw/plugin-file-log';
import keyAuth from '@gw/plugin-key-auth';
import opentelemetry from '@gw/plugin-opentelemetry';
import prometheus from '@gw/plugin-prometheus';
import rateLimiting from '@gw/plugin-rate-limiting';
import aiRateLimitingAdvanced from '@gw/plugin-ai-rate-limiting-advanced';
import { createGateway, formatProblem, loadConfig, type AnyPlugin, type Gateway, type GatewayOptions } from '@gw/core';
import { captureGwOutput, noteSecretsOf } from '../../support/gw-output.js';

const bundled: AnyPlugin[] = [aiProxy, aiProxyAdvancedPlugin, fileLog, keyAuth, opentelemetry, prometheus, rateLimiting, aiRateLimitingAdvanced];
export const registry = new Map(bundled.map((p) => [p.name, p]));

export interface RunningGateway {
  gateway: Gateway;
  url: string;
  port: number;
  dir: string;
  /** Everything the gateway's logger was told (to check that no secret reaches it). */
  messages: string[];
  close(): Promise<void>;
}

export function tempDir(prefix = 'gw-int-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Gateway settings a test may set (the `gw start` flags), on top of the config and plugins. */
export type GatewaySettings = Omit<GatewayOptions, 'config' | 'plugins' | 'logger'>;

/**
 * `yaml` is written to `dir/kong.yaml`; `env` feeds `${name}` substitution (DECK_ variables); `plugins`
 * join the bundled ones (test plugins that watch what the bundled ones do).
 */
export async function startGateway(
  yaml: string,
  options: { dir?: string; env?: NodeJS.ProcessEnv; gateway?: GatewaySettings; plugins?: AnyPlugin[] } = {},
): Promise<RunningGateway> {
  const dir = options.dir ?? tempDir();
  const file = join(dir, 'kong.yaml');
  writeFileSync(file, yaml);
  const plugins = options.plugins === undefined ? registry : new Map([...registry, ...options.plugins.map((p) => [p.name, p] as const)]);
  const loaded = await loadConfig([file], { env: options.env ?? {}, mode: 'expand', plugins });
  if (!loaded.ok) throw new Error(`invalid test config:\n${loaded.problems.map((p) => formatProblem(p)).join('\n')}`);
  noteSecretsOf(options.env);
  const messages: string[] = [];
  const capture = captureGwOutput('integration-gateway');
  const say = (m: string) => {
    messages.push(m);
    capture(`${m}\n`);
  };
  const logger = { info: say, warn: say, error: say };
  const gateway = await createGateway({ ...options.gateway, config: loaded.config, plugins, logger });
  const { port } = await gateway.listen(0, '127.0.0.1');
  return { gateway, url: `http://127.0.0.1:${port}`, port, dir, messages, close: () => gateway.close({ drainMs: 2_000 }) };
}

export type LogLine = Record<string, any>;

/** Every line of a file-log file, parsed (a line that is not JSON fails the caller's test). */
export function readLogLines(path: string): LogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as LogLine);
}

/** Polls until `read()` returns a truthy value (log lines land after the response is sent). */
export async function eventually<T>(
  read: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  attempts = 200,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    // An async read is awaited: a pending promise is not a value.
    const value = await read();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Swaps process.env entries for the duration of a suite; returns the restore function. */
export function setEnv(values: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
