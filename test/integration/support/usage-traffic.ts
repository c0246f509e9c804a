/**
 * Real file-log lines for `gw usage`'s tests: a mix of traffic through the real gateway to the Bedrock
 * emulator (three consumers by key-auth, two models on two routes with their own prices, streams and
 * oneshots, prompt caching, count_tokens, refusals, upstream errors, an exception mid-stream, an upstream
 * cut, a client that hangs up), then laid out as a rotated log set with the damage a real one has.
 * Also the oracle: the sums the report must show, computed with nothing but JSON.parse.
 */
import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startBedrockEmulator } from '@gw/bedrock-emulator';
import { AWS_KEYS, post } from './bedrock.js';
import { eventually, readLogLines, startGateway, tempDir, type LogLine } from './gateway.js';

export const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
export const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const KEYS = { alice: 'alice-usage-key-0001', bob: 'bob-usage-key-0002', ci: 'ci-usage-key-0003' };

function config(logPath: string, emulatorPort: number): string {
  const aiProxy = (model: string, costs: string) => `
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              logging: { log_statistics: true }
              auth: { aws_access_key_id: "${AWS_KEYS.accessKeyId}", aws_secret_access_key: "${AWS_KEYS.secretAccessKey}" }
              model:
                provider: bedrock
                name: ${model}
                options: { upstream_url: "http://127.0.0.1:${emulatorPort}", bedrock: { aws_region: us-east-1 }, ${costs} }`;
  return `_format_version: "3.0"
consumers:
  - username: alice
    custom_id: team-a
    keyauth_credentials: [{ key: ${KEYS.alice} }]
  - username: bob
    keyauth_credentials: [{ key: ${KEYS.bob} }]
  - custom_id: ci-bot
    keyauth_credentials: [{ key: ${KEYS.ci} }]
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:
      - name: haiku
        paths: [/haiku]
        plugins:${aiProxy(HAIKU, 'input_cost: 1, output_cost: 5, cache_read_cost: 0.1, cache_write_cost: 1.25')}
      - name: sonnet
        paths: [/sonnet]
        plugins:${aiProxy(SONNET, 'input_cost: 3, output_cost: 15, cache_read_cost: 0.3, cache_write_cost: 3.75')}
plugins:
  - name: key-auth
    config: { key_names: [x-api-key] }
  - name: file-log
    config: { path: ${logPath} }
`;
}

const MODELS: Record<string, string> = { haiku: HAIKU, sonnet: SONNET };
/** ai-proxy refuses a model other than its route's (Kong's `cannot use own model`). */
const body = (route: string, content: string, stream: boolean, maxTokens = 64) =>
  JSON.stringify({ model: MODELS[route] ?? route, max_tokens: maxTokens, stream, messages: [{ role: 'user', content }] });
const headers = (key: string | undefined) => ({
  'content-type': 'application/json',
  'anthropic-version': '2023-06-01',
  ...(key === undefined ? {} : { 'x-api-key': key }),
});

/** Reads until the first bytes of the body arrive, then hangs up (Ctrl-C in Claude Code). */
function hangUpAfterFirstBytes(url: string, key: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers(key), 'content-length': String(Buffer.byteLength(payload)) } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(payload);
  });
}

/** A body read to its end, or to the point the connection broke (an upstream cut reaches the client so). */
function postTolerant(url: string, key: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers(key), 'content-length': String(Buffer.byteLength(payload)) } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
      res.on('aborted', () => resolve());
      res.on('error', () => resolve());
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Runs the mix and returns the log lines exactly as file-log wrote them. */
export async function recordTraffic(): Promise<string[]> {
  const emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
  const dir = tempDir('gw-usage-');
  const logPath = join(dir, 'traffic.json');
  const gw = await startGateway(config(logPath, emulator.port), { dir });
  let sent = 0;
  try {
    const ask = async (route: string, key: string | undefined, content: string, stream: boolean, path = '/v1/messages', model = route) => {
      sent++;
      await post(`${gw.url}/${route}${path}`, headers(key), body(model, content, stream));
    };
    for (const [consumer, key] of Object.entries(KEYS)) {
      const routes = consumer === 'ci' ? ['haiku'] : ['haiku', 'sonnet'];
      for (const route of routes) {
        for (const stream of [false, true]) {
          await ask(route, key, `hello from ${consumer} [scenario:text]`, stream);
          await ask(route, key, `${'a long cached system prompt '.repeat(40)} [scenario:cache]`, stream);
        }
      }
    }
    await ask('sonnet', KEYS.alice, 'tools please [scenario:tool_use]', true);
    await ask('haiku', KEYS.bob, 'think [scenario:thinking]', false);
    await ask('haiku', KEYS.alice, 'count me', false, '/v1/messages/count_tokens');
    await ask('haiku', KEYS.bob, 'too fast [scenario:throttle]', false); // 429
    await ask('sonnet', KEYS.alice, 'busy [scenario:overload]', true); // 503
    await ask('haiku', KEYS.ci, 'bad [scenario:validation]', false); // 400 from Bedrock
    await ask('haiku', KEYS.ci, 'my own model', false, '/v1/messages', 'claude'); // 400 from ai-proxy (cannot use own model), before any upstream
    await ask('haiku', undefined, 'who am I', false); // 401 from key-auth: no consumer, no ai.proxy
    await ask('sonnet', 'not-a-key', 'wrong key', false); // 401
    await ask('sonnet', KEYS.bob, 'boom [scenario:exception_mid_stream]', true); // 200 with an error event
    sent++;
    await postTolerant(`${gw.url}/haiku/v1/messages`, KEYS.alice, body('haiku', 'snip [scenario:cut]', true)); // cut by upstream
    sent++;
    await hangUpAfterFirstBytes(`${gw.url}/sonnet/v1/messages`, KEYS.bob, body('sonnet', 'go slowly [scenario:slow]', true, 256)); // cut by client
    await eventually(() => readLogLines(logPath).length >= sent, `${sent} log lines`);
  } finally {
    await gw.close();
    await emulator.close();
  }
  const lines = readLogLines(logPath);
  if (lines.length !== sent) throw new Error(`expected ${sent} log lines, the log has ${lines.length}`);
  return lines.map((line) => JSON.stringify(line));
}

const DAY = 24 * 3600 * 1000;

/** A line with its request moved `days` earlier: the rotated files hold older traffic. */
function shifted(line: string, days: number): string {
  const record = JSON.parse(line) as LogLine;
  record.started_at -= days * DAY;
  return JSON.stringify(record);
}

export interface LogSet {
  dir: string;
  /** In the order a shell glob gives them: claude.json, claude.json.1, claude.json.2.gz. */
  files: string[];
  /** Every line of every file as written (blank ones left out), for the oracle. */
  linesByFile: Map<string, string[]>;
  /** The damage planted, by kind. */
  planted: { malformed: number; truncated: number; invalid: number };
}

/**
 * The recorded lines as logrotate leaves them with `compress` + `delaycompress`: the oldest third two days
 * back in claude.json.2.gz, the next third a day back in claude.json.1, the newest in the live claude.json,
 * whose last line is still being written. Planted in .1: a line cut off by a crash, binary garbage, and
 * JSON that is no record.
 */
export function writeLogSet(lines: string[]): LogSet {
  const dir = tempDir('gw-usage-set-');
  mkdirSync(dir, { recursive: true });
  const third = Math.ceil(lines.length / 3);
  const oldest = lines.slice(0, third).map((l) => shifted(l, 2));
  const older = lines.slice(third, 2 * third).map((l) => shifted(l, 1));
  const live = lines.slice(2 * third);
  const rotated = [
    ...older.slice(0, 2),
    older[2]!.slice(0, 200), // a crash mid-write, then gw went on
    ...older.slice(2, 4),
    '\u0000\u0001binary garbage \u00ff',
    '{"hello":"not a record"}',
    '[1,2,3]',
    ...older.slice(4),
  ];
  const liveText = `${live.join('\n')}\n${live[0]!.slice(0, 300)}`; // the next line, half written
  const files = ['claude.json', 'claude.json.1', 'claude.json.2.gz'].map((name) => join(dir, name));
  writeFileSync(files[0]!, liveText);
  writeFileSync(files[1]!, `${rotated.join('\n')}\n`);
  writeFileSync(files[2]!, gzipSync(`${oldest.join('\n')}\n`));
  return {
    dir,
    files,
    linesByFile: new Map([
      [files[0]!, liveText.split('\n')],
      [files[1]!, rotated],
      [files[2]!, oldest],
    ]),
    planted: { malformed: 2, truncated: 1, invalid: 2 },
  };
}

/** The records among the lines: what JSON.parse accepts as an object with a numeric started_at. */
export function records(set: LogSet): LogLine[] {
  const out: LogLine[] = [];
  for (const lines of set.linesByFile.values()) {
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as LogLine).started_at === 'number') out.push(value as LogLine);
    }
  }
  return out;
}

export interface Sums {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  total_tokens: number;
  cost: number;
}

/** The oracle: plain sums over records, each field read straight from the log. */
export function sums(lines: LogLine[]): Sums {
  const usage = (l: LogLine) => l.ai?.proxy?.usage ?? {};
  const add = (get: (l: LogLine) => number | undefined) => lines.reduce((n, l) => n + (get(l) ?? 0), 0);
  return {
    requests: lines.length,
    errors: lines.filter((l) => l.response.status >= 400 || l.cut !== undefined || l.ai?.proxy?.error !== undefined).length,
    input_tokens: add((l) => usage(l).prompt_tokens),
    output_tokens: add((l) => usage(l).completion_tokens),
    cache_read_tokens: add((l) => usage(l).cache_read_input_tokens),
    cache_write_tokens: add((l) => usage(l).cache_creation_input_tokens),
    total_tokens: add((l) => usage(l).total_tokens),
    cost: add((l) => usage(l).cost),
  };
}

export const consumerOf = (l: LogLine): string => l.consumer?.username ?? l.consumer?.custom_id ?? l.consumer?.id ?? '(none)';
export const modelOf = (l: LogLine): string => l.ai?.proxy?.meta?.request_model ?? '(none)';
export const dayOf = (l: LogLine): string => new Date(l.started_at).toISOString().slice(0, 10);

/** The exact nearest-rank percentile: the smallest value at least q of the sample is at or below. */
export function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}
