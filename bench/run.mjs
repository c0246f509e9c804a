#!/usr/bin/env node
// `pnpm bench`: gw against a bare Node pipe proxy, same machine, same run, interleaved rounds.
// Prints, per workload: requests/s, p50/p99 latency, CPU µs per request of the proxy process, peak RSS,
// and each as a ratio to the baseline; then time to first byte at concurrency 1, the 1,000-stream
// memory test, and a one-line summary. Options (env): BENCH_SECONDS (4; plain 3), BENCH_ROUNDS (2; plain 5),
// BENCH_ONLY (comma list of workload names), BENCH_PROMETHEUS=1 (cc-stream-50 also through a route with the
// prometheus plugin on, in the same rounds: the cost of counting), BENCH_AGAINST=<git revision> (that
// revision's gw, built from its own files, in the same rounds of every workload: what a change cost). BENCH_ONLY
// takes workload names, `ttfb` and `streams`. BENCH_GW_NODE_FLAGS: Node flags for this gw only (not the
// BENCH_AGAINST one, nor the baseline), e.g. `--max-semi-space-size=32` against BENCH_AGAINST=HEAD: what a
// flag does, in the same rounds. docs/performance.md explains the method and the numbers.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import { cpuMicros, rssBytes, sampleRss } from './proc.mjs';
import { startRedis } from './redis.mjs';
import { openaiChatBody } from './openai-body.mjs';
import { buildAgainst } from './against.mjs';

/** @typedef {{ child: import('node:child_process').ChildProcess, port: number, pid: number }} Target */
/**
 * @typedef {{ name: string, what: string, connections: number, gwPath: string, basePath: string, headers: Record<string, string>,
 *   body: string, quiet?: boolean, rounds?: number, seconds?: number,
 *   variants?: Array<{ name: string, what: string, gwPath: string, needsRedis?: boolean, headers?: Record<string, string>, body?: string }> }} Workload
 */
/** @typedef {{ rps: number, p50: number, p99: number, cpuPerReq: number, rss: number, requests: number, failed: number }} Run */

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.bench-out');
mkdirSync(out, { recursive: true });
// The plain route runs more, shorter rounds: its per-request cost is small, so one noisy round moves its
// ratio most, and an odd count has a true middle round.
const secondsOf = (/** @type {Workload} */ w) => Number(process.env.BENCH_SECONDS ?? w.seconds ?? 4);
const roundsOf = (/** @type {Workload} */ w) => Number(process.env.BENCH_ROUNDS ?? w.rounds ?? 2);
const ONLY = process.env.BENCH_ONLY?.split(',');

// ── processes ────────────────────────────────────────────────────────────────────────────────────
/** @param {string} file @param {Record<string, string>} [env] @returns {Promise<Target>} */
function forkServer(file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(join(root, 'bench', file), { env: { ...process.env, ...env }, stdio: 'inherit' });
    // It sent a message, so it is running and has a pid.
    child.once('message', (m) => resolve({ child, port: /** @type {{ port: number }} */ (m).port, pid: /** @type {number} */ (child.pid) }));
    child.once('exit', (code) => reject(new Error(`${file} exited ${code}`)));
  });
}

/**
 * A gw on `dir`'s build with `dir`'s bench/gw.yaml (this checkout's, or BENCH_AGAINST's); `tag` names its files.
 * @param {number} upstreamPort @param {number} redisPort @param {string[]} [extraArgs] @param {string} [dir] @param {string} [tag]
 * @returns {Promise<Target>}
 */
function startGw(upstreamPort, redisPort, extraArgs = [], dir = root, tag = 'gw') {
  const logPath = join(out, `file-log-${tag}.json`);
  const config = readFileSync(join(dir, 'bench/gw.yaml'), 'utf8')
    .replaceAll('UPSTREAM_PORT', String(upstreamPort))
    .replaceAll('LOG_PATH', logPath)
    .replaceAll('REDIS_PORT', String(redisPort));
  const file = join(out, `${tag}.yaml`);
  writeFileSync(file, config);
  const nodeFlags = tag === 'gw' ? (process.env.BENCH_GW_NODE_FLAGS ?? '').split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeFlags, join(dir, 'packages/cli/dist/bin.js'), 'start', '-s', file, '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    env: {
      PATH: process.env.PATH,
      DECK_AWS_ACCESS_KEY_ID: 'AKIDBENCHMARK',
      DECK_AWS_SECRET_ACCESS_KEY: 'bench-secret-key',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${upstreamPort}`,
      // glibc allocator tuning given to the bench (MALLOC_MMAP_THRESHOLD_=…): the baseline inherits it too.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('MALLOC_'))),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
      const match = /listening on http:\/\/[\d.]+:(\d+)/.exec(text);
      if (match) resolve({ child, port: Number(match[1]), pid: /** @type {number} */ (child.pid) });
    });
    child.once('exit', (code) => reject(new Error(`gw exited ${code}: ${text}`)));
  });
}

// ── workloads ────────────────────────────────────────────────────────────────────────────────────
/** @typedef {{ headers: Record<string, string>, body: object }} Capture */
/** @type {(file: string, index: number) => Capture} */
const capture = (file, index) => JSON.parse(readFileSync(join(root, 'test/fixtures/claude-code', file), 'utf8')).requests[index];
const cc87 = capture('cc-2.1.330-print-json.full.json', 0);
const cc60 = capture('cc-2.0.37-print-json.full.json', 0);
const ccHeaders = (/** @type {Capture} */ c) => {
  /** @type {Record<string, string>} */
  const headers = { ...c.headers, 'x-api-key': 'sk-ant-bench' };
  for (const h of ['host', 'content-length', 'connection']) delete headers[h];
  return headers;
};
const body = (/** @type {Capture} */ c, /** @type {boolean} */ stream) => JSON.stringify({ ...c.body, stream });
/** Claude Code's headers without `anthropic-beta`: every flag dropped, so their body fields must go too. */
const withoutBeta = (/** @type {Record<string, string>} */ headers) => Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'anthropic-beta'));
/** An Anthropic SDK's headers, as a small API client sends them. @type {Record<string, string>} */
const sdkHeaders = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' };
// A small non-streaming Messages request (127 B) and one with ~10 KB of conversation: the fixed cost of a
// request, where Claude Code's 87 KB body hides it under per-byte work.
const smallBody = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello, Claude! Please answer in a line.' }] });
const turn = (/** @type {number} */ i) => `Turn ${i}: here is part of the document to summarise, with some numbers (${i * 37}) and "quotes" in it. `.repeat(6);
const tenKbBody = JSON.stringify({
  model: 'claude-haiku-4-5', max_tokens: 1024, system: 'You are a careful assistant. Answer briefly.',
  messages: Array.from({ length: 17 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: turn(i) })),
});
/** An OpenAI client's headers: its key as a bearer token. @type {Record<string, string>} */
const openaiHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

/** @type {Workload[]} */
const ALL_WORKLOADS = [
  // `quiet`: also through a second gw with Kong's `headers` and `headers_upstream` off, in the same rounds
  // against the same baseline runs: what those headers cost.
  { name: 'plain', what: 'small POST, plain route, no plugins', connections: 32, gwPath: '/plain/echo', basePath: '/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world', n: 42, list: [1, 2, 3] }), quiet: true, rounds: 5, seconds: 3 },
  { name: 'small-oneshot', what: `${Buffer.byteLength(smallBody)} B Messages request → ai-proxy → Bedrock invoke, file-log`, connections: 32, gwPath: '/cc50/v1/messages', basePath: '/d50/model/bench/invoke', headers: sdkHeaders, body: smallBody },
  { name: '10k-oneshot', what: `${(Buffer.byteLength(tenKbBody) / 1024).toFixed(1)} KB Messages request → ai-proxy → Bedrock invoke, file-log`, connections: 32, gwPath: '/cc50/v1/messages', basePath: '/d50/model/bench/invoke', headers: sdkHeaders, body: tenKbBody },
  { name: 'cc-oneshot', what: 'Claude Code 87 KB body → ai-proxy → Bedrock invoke, file-log', connections: 16, gwPath: '/cc50/v1/messages?beta=true', basePath: '/d50/model/bench/invoke', headers: ccHeaders(cc87), body: body(cc87, false) },
  // `variants`: the same workload through other routes of the same gw, in the same rounds: with
  // ai-rate-limiting-advanced counting in Redis (a read before the upstream call, an add after: what the
  // budget costs), and with BENCH_PROMETHEUS the prometheus plugin with every switch on.
  { name: 'cc-stream-50', what: 'Claude Code 87 KB → ai-proxy → eventstream (50 deltas) → SSE, file-log', connections: 16, gwPath: '/cc50/v1/messages?beta=true', basePath: '/d50/model/bench/invoke-with-response-stream', headers: ccHeaders(cc87), body: body(cc87, true),
    variants: [
      { name: 'budget-redis', what: 'with ai-rate-limiting-advanced (strategy redis)', gwPath: '/budget/v1/messages?beta=true', needsRedis: true },
      ...(process.env.BENCH_PROMETHEUS ? [{ name: 'prometheus', what: 'with the prometheus plugin, every switch on', gwPath: '/cc50prom/v1/messages?beta=true' }] : []),
    ] },
  // The cc-stream-50 conversation from an OpenAI client: the body translated to Converse, the answer back
  // to chunks (the same 50 deltas). Its variant is cc-stream-50's own request, in the same rounds, so the
  // two pairs' CPU per request compare without the machine's drift between workloads (target: ≤ 1.2×).
  { name: 'oa-stream-50', what: 'the same conversation as OpenAI chat → ai-proxy → ConverseStream (50 deltas) → chunks, file-log', connections: 16, gwPath: '/oa50/v1/chat/completions', basePath: '/d50/model/bench/converse-stream', headers: openaiHeaders, body: openaiChatBody(cc87.body, true),
    variants: [{ name: 'anthropic', what: "cc-stream-50's request (Anthropic → InvokeModel), same rounds", gwPath: '/cc50/v1/messages?beta=true', headers: ccHeaders(cc87), body: body(cc87, true) }] },
  // Claude Code's body without its `anthropic-beta` header (as a client other than Claude Code sends it): the
  // dropped flags' fields (context_management, a tool's defer_loading) are taken out of the body.
  // The same answer with each event its own write, 1 ms apart, as Bedrock sends a model's tokens: the bare
  // pipe then forwards each event too, so the ratio is gw's translation against a pipe doing the same writes.
  { name: 'cc-stream-50-paced', what: 'as cc-stream-50 with the upstream writing each event separately, 1 ms apart', connections: 16, gwPath: '/ccpaced50/v1/messages?beta=true', basePath: '/paced50/model/bench/invoke-with-response-stream', headers: ccHeaders(cc87), body: body(cc87, true) },
  { name: 'cc-stream-50-nobeta', what: 'as cc-stream-50 without the anthropic-beta header (dependent fields removed)', connections: 16, gwPath: '/cc50/v1/messages?beta=true', basePath: '/d50/model/bench/invoke-with-response-stream', headers: withoutBeta(ccHeaders(cc87)), body: body(cc87, true) },
  { name: 'cc-stream-500', what: 'Claude Code 60 KB → ai-proxy → eventstream (500 deltas) → SSE, file-log', connections: 16, gwPath: '/cc500/v1/messages?beta=true', basePath: '/d500/model/bench/invoke-with-response-stream', headers: ccHeaders(cc60), body: body(cc60, true) },
  { name: 'cc-stream-50-nolog', what: 'as cc-stream-50 with file-log off', connections: 16, gwPath: '/cc50nolog/v1/messages?beta=true', basePath: '/d50/model/bench/invoke-with-response-stream', headers: ccHeaders(cc87), body: body(cc87, true) },
];
const WORKLOADS = ALL_WORKLOADS.filter((w) => !ONLY || ONLY.includes(w.name));

/** @param {Target} target @param {Workload} workload @param {string} path @returns {Promise<Run>} */
async function load(target, workload, path) {
  const before = cpuMicros(target.pid);
  const rss = sampleRss(target.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}${path}`,
    method: 'POST',
    headers: workload.headers,
    body: workload.body,
    connections: workload.connections,
    duration: secondsOf(workload),
  });
  const cpu = cpuMicros(target.pid) - before;
  const ok = result.requests.total - result.non2xx - result.errors;
  if (result.non2xx > 0 || result.errors > 0) console.warn(`  ! ${workload.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuPerReq: cpu / Math.max(ok, 1), rss: rss.stop(), requests: ok, failed: result.non2xx + result.errors };
}

/** The middle value; for an even count the mean of the two middle ones. @param {number[]} xs */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b === 0 ? NaN : a / b);
const fmt = (/** @type {number} */ n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/** @typedef {Pick<Workload, 'headers' | 'body'>} Request */

// Time from the request being sent to the first response byte, one request at a time.
/** @param {number} port @param {Request} workload @param {string} path @returns {Promise<number>} */
function ttfb(port, workload, path) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...workload.headers, 'content-length': Buffer.byteLength(workload.body) } }, (res) => {
      res.once('data', () => {
        const t = Number(process.hrtime.bigint() - start) / 1e6;
        res.resume();
        res.on('end', () => resolve(t));
      });
    });
    req.on('error', reject);
    req.end(workload.body);
  });
}

/** @param {number} port @param {string} path @param {Request} workload @param {number} count */
async function manyStreams(port, path, workload, count) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  /** @type {Promise<number | undefined>[]} */
  const done = [];
  for (let i = 0; i < count; i++) {
    done.push(new Promise((resolve) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { ...workload.headers, 'content-length': Buffer.byteLength(workload.body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
        res.on('error', () => resolve(0));
      });
      req.on('error', () => resolve(0));
      req.end(workload.body);
    }));
  }
  const codes = await Promise.all(done);
  return codes.filter((c) => c === 200).length;
}

// ── main ─────────────────────────────────────────────────────────────────────────────────────────
const upstream = await forkServer('upstream.mjs');
const baseline = await forkServer('baseline.mjs', { UPSTREAM_PORT: String(upstream.port) });
// The budget workload needs a real Redis; without one it is left out (a gw counting locally instead
// would measure something else).
const redis = WORKLOADS.some((w) => w.variants?.some((v) => v.needsRedis)) ? await startRedis() : undefined;
if (redis?.missing) console.warn(`! no redis-server (${redis.missing}): the budget variant of cc-stream-50 is left out\n`);
const gw = await startGw(upstream.port, redis?.port ?? 9);
const quiet = WORKLOADS.some((w) => w.quiet) ? await startGw(upstream.port, redis?.port ?? 9, ['--headers', 'off', '--headers-upstream', 'off'], root, 'quiet') : undefined;
const againstBuild = process.env.BENCH_AGAINST ? buildAgainst(root, out, process.env.BENCH_AGAINST) : undefined;
const against = againstBuild ? await startGw(upstream.port, redis?.port ?? 9, [], againstBuild.dir, 'against') : undefined;
if (againstBuild) console.log(`BENCH_AGAINST: gw at ${process.env.BENCH_AGAINST} (${againstBuild.commit.slice(0, 12)}) in the same rounds as this checkout's gw\n`);
console.log(`gw bench: interleaved rounds per target per workload (${WORKLOADS.map((w) => `${w.name} ${roundsOf(w)} × ${secondsOf(w)}s`).join(', ')}); upstream, baseline and gw are separate processes\n`);

const summary = [];
for (const workload of WORKLOADS) {
  const variants = (workload.variants ?? []).filter((v) => !v.needsRedis || redis?.port !== undefined);
  /** @type {Record<string, Target>} */
  const targets = { baseline, gw, ...(workload.quiet && quiet ? { quiet } : {}), ...Object.fromEntries(variants.map((v) => [v.name, gw])), ...(against ? { against } : {}) };
  let names = Object.keys(targets);
  const pathOf = (/** @type {string} */ name) =>
    name === 'baseline' ? workload.basePath : (variants.find((v) => v.name === name)?.gwPath ?? workload.gwPath);
  const requestOf = (/** @type {string} */ name) => {
    const v = variants.find((x) => x.name === name);
    return v ? { ...workload, headers: v.headers ?? workload.headers, body: v.body ?? workload.body } : workload;
  };
  // warm all (JIT, keep-alive pools)
  for (const name of names) {
    const warm = await load(targets[name], { ...requestOf(name), connections: 4 }, pathOf(name));
    // A workload the earlier revision has no route for is compared without it.
    if (name === 'against' && warm.failed > warm.requests) {
      console.log(`  (${workload.name}: the BENCH_AGAINST revision doesn't serve it; compared without it)`);
      names = names.filter((n) => n !== 'against');
    }
  }
  /** @type {Record<string, Run[]>} */
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < roundsOf(workload); round++) {
    // Each round in a different order, so drift hits every target alike.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) runs[name].push(await load(targets[name], requestOf(name), pathOf(name)));
  }
  const agg = (/** @type {string} */ name, /** @type {keyof Run} */ key) => median(runs[name].map((r) => r[key]));
  /** @type {Record<string, { base: number, gw: number }>} */
  const row = {};
  for (const key of /** @type {const} */ (['rps', 'p50', 'p99', 'cpuPerReq', 'rss'])) row[key] = { base: agg('baseline', key), gw: agg('gw', key) };
  console.log(`${workload.name}: ${workload.what} (${workload.connections} connections)`);
  console.log(`  req/s      baseline ${fmt(row.rps.base)}   gw ${fmt(row.rps.gw)}   ratio ${fmt(ratio(row.rps.gw, row.rps.base), 2)}`);
  console.log(`  p50 ms     baseline ${fmt(row.p50.base, 2)}   gw ${fmt(row.p50.gw, 2)}   ratio ${fmt(ratio(row.p50.gw, row.p50.base), 2)}`);
  console.log(`  p99 ms     baseline ${fmt(row.p99.base, 2)}   gw ${fmt(row.p99.gw, 2)}   ratio ${fmt(ratio(row.p99.gw, row.p99.base), 2)}`);
  console.log(`  CPU µs/req baseline ${fmt(row.cpuPerReq.base)}   gw ${fmt(row.cpuPerReq.gw)}   ratio ${fmt(ratio(row.cpuPerReq.gw, row.cpuPerReq.base), 2)}`);
  const quietCpu = workload.quiet ? agg('quiet', 'cpuPerReq') : undefined;
  if (quietCpu !== undefined) console.log(`  CPU µs/req gw with --headers off --headers-upstream off ${fmt(quietCpu)}   ratio ${fmt(ratio(quietCpu, row.cpuPerReq.base), 2)}`);
  for (const v of variants) {
    const vr = { rps: agg(v.name, 'rps'), cpu: agg(v.name, 'cpuPerReq'), p50: agg(v.name, 'p50'), p99: agg(v.name, 'p99') };
    console.log(`  ${v.what}: req/s ${fmt(vr.rps)} (${fmt(ratio(vr.rps, row.rps.gw), 3)} of gw's)   CPU µs/req ${fmt(vr.cpu)} (${fmt(ratio(vr.cpu, row.cpuPerReq.gw), 3)} of gw's)   p50 ${fmt(vr.p50, 2)} ms   p99 ${fmt(vr.p99, 2)} ms`);
    if (v.needsRedis && redis?.total !== undefined) {
      const counted = await redis.total('gw:ai-rl:*');
      console.log(`  Redis counted ${counted.sum} tokens under ${counted.keys} keys`);
    }
    summary.push(`${workload.name}+${v.name} cpu ${fmt(ratio(vr.cpu, row.cpuPerReq.gw), 3)}x rps ${fmt(ratio(vr.rps, row.rps.gw), 3)}x of gw's`);
    // Each round's pair of runs, gw's against its variant's: the median of those ratios.
    const perRound = runs.gw.map((r, i) => ratio(r.cpuPerReq, runs[v.name][i].cpuPerReq));
    console.log(`  gw CPU µs/req against ${v.name}'s, per round: ${perRound.map((x) => fmt(x, 2)).join(' ')}; median ${fmt(median(perRound), 2)}×`);
    summary.push(`${workload.name}/${v.name} cpu ${fmt(median(perRound), 2)}x`);
  }
  if (names.includes('against')) {
    const perRound = runs.gw.map((r, i) => ratio(r.cpuPerReq, runs.against[i].cpuPerReq));
    const againstCpu = agg('against', 'cpuPerReq');
    console.log(`  CPU µs/req gw at ${process.env.BENCH_AGAINST} ${fmt(againstCpu)}   ratio ${fmt(ratio(againstCpu, row.cpuPerReq.base), 2)}; this gw over it, per round: ${perRound.map((x) => fmt(x, 2)).join(' ')}; median ${fmt(median(perRound), 3)}×`);
    summary.push(`${workload.name}/against cpu ${fmt(median(perRound), 3)}x`);
  }
  console.log(`  peak RSS   baseline ${fmt(row.rss.base / 2 ** 20)} MB   gw ${fmt(row.rss.gw / 2 ** 20)} MB\n`);
  summary.push(`${workload.name} cpu ${fmt(ratio(row.cpuPerReq.gw, row.cpuPerReq.base), 2)}x rps ${fmt(ratio(row.rps.gw, row.rps.base), 2)}x`);
  if (quietCpu !== undefined) summary.push(`${workload.name}-headers-off cpu ${fmt(ratio(quietCpu, row.cpuPerReq.base), 2)}x`);
}

// Added time to first SSE byte, concurrency 1: Claude Code's request with its beta header and without it
// (dependent fields removed), one request of each in turn, against the bare proxy (the same bytes for it).
// Runs with either workload, or alone with BENCH_ONLY=ttfb.
const firstByteWorkloads = ALL_WORKLOADS.filter((w) => w.name === 'cc-stream-50' || w.name === 'cc-stream-50-nobeta');
if (!ONLY || ONLY.some((name) => name === 'ttfb' || firstByteWorkloads.some((w) => w.name === name))) {
  const [withBeta] = firstByteWorkloads;
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(['baseline', ...firstByteWorkloads.map((w) => w.name)].map((name) => [name, []]));
  for (let i = 0; i < 200; i++) {
    samples.baseline.push(await ttfb(baseline.port, withBeta, withBeta.basePath));
    for (const w of firstByteWorkloads) samples[w.name].push(await ttfb(gw.port, w, w.gwPath));
  }
  const base = median(samples.baseline);
  for (const w of firstByteWorkloads) {
    const added = median(samples[w.name]) - base;
    console.log(`time to first byte (${w.name}, concurrency 1, median of 200): baseline ${fmt(base, 3)} ms, gw ${fmt(median(samples[w.name]), 3)} ms, added ${fmt(added, 3)} ms`);
    summary.push(`ttfb ${w.name} +${fmt(added, 3)}ms`);
  }
  console.log('');
}

// 1,000 concurrent long streams (events 100 ms apart), two waves: RSS over idle at each wave's peak
// (a second wave that climbs higher than the first would be a leak) and once idle again after it.
// "Idle" and "idle again" are read 19 s after traffic stops: time for gw's idle GC (`--idle-gc`: 10 s of
// quiet, read every second, then a second collection 6 s later) to give back a burst's garbage, when the burst grew memory
// by 32 MB. What stays is live memory and what glibc keeps for reuse (docs/decisions/0010).
if (!ONLY || ONLY.includes('streams')) {
  const w = { headers: ccHeaders(cc60), body: body(cc60, true) };
  const count = 1000;
  const settle = () => new Promise((r) => setTimeout(r, 19_000));
  await settle();
  const idle = rssBytes(gw.pid);
  /** @type {{ ok: number, peak: number, after: number }[]} */
  const waves = [];
  for (let wave = 0; wave < 2; wave++) {
    const sampler = sampleRss(gw.pid);
    const ok = await manyStreams(gw.port, '/slow/v1/messages?beta=true', w, count);
    const peak = sampler.stop();
    await settle();
    waves.push({ ok, peak, after: rssBytes(gw.pid) });
  }
  const mb = (/** @type {number} */ b) => fmt(b / 2 ** 20);
  const over = (/** @type {number} */ b) => `${b >= idle ? '+' : '-'}${mb(Math.abs(b - idle))}`;
  // Peaks are also given over the lowest idle seen, before or after the waves: the idle before them can
  // still hold memory of the CPU workloads that gw's idle GC gives back later, which would flatter the step.
  const floor = Math.min(idle, ...waves.map((x) => x.after));
  const peak = Math.max(...waves.map((x) => x.peak));
  // The same wave through the bare proxy: the floor any Node proxy pays for 1,000 open streams.
  const baseIdle = rssBytes(baseline.pid);
  const baseSampler = sampleRss(baseline.pid);
  await manyStreams(baseline.port, '/slow50/model/bench/invoke-with-response-stream', w, count);
  const basePeak = baseSampler.stop();
  console.log(`baseline, one wave: RSS idle ${mb(baseIdle)} MB, peak ${mb(basePeak)} MB (+${mb(basePeak - baseIdle)} MB)`);
  console.log(
    `${count} concurrent streams through gw, two waves (${waves.map((x) => x.ok).join(' + ')} completed 200): RSS idle ${mb(idle)} MB; ` +
      waves.map((x, i) => `wave ${i + 1} peak ${mb(x.peak)} MB (${over(x.peak)} MB), idle again ${mb(x.after)} MB (${over(x.after)} MB)`).join('; ') +
      `; highest peak over the lowest idle seen (${mb(floor)} MB): +${mb(peak - floor)} MB\n`,
  );
  summary.push(`streams +${mb(peak - floor)}MB over lowest idle, after ${over(waves[waves.length - 1].after)}MB`);
}

console.log(`SUMMARY ${summary.join(' | ')}`);
for (const t of [gw, quiet, against, baseline, upstream]) t?.child.kill('SIGTERM');
await redis?.stop();
