#!/usr/bin/env node
// `pnpm bench`: gw against a bare Node pipe proxy, same machine, same run, interleaved rounds.
// Prints, per workload: requests/s, p50/p99 latency, CPU µs per request of the proxy process, peak RSS,
// and each as a ratio to the baseline; then time to first byte at concurrency 1, the 1,000-stream
// memory test, and a one-line summary. Options (env): BENCH_SECONDS (4; plain 3), BENCH_ROUNDS (2; plain 5),
// BENCH_ONLY (comma list of workload names). docs/performance.md explains the method and the numbers.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import { cpuMicros, rssBytes, sampleRss } from './proc.mjs';
import { startRedis } from './redis.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, '.bench-out');
mkdirSync(out, { recursive: true });
// The plain route runs more, shorter rounds: its per-request cost is small, so one noisy round moves its
// ratio most, and an odd count has a true middle round.
const secondsOf = (w) => Number(process.env.BENCH_SECONDS ?? w.seconds ?? 4);
const roundsOf = (w) => Number(process.env.BENCH_ROUNDS ?? w.rounds ?? 2);
const ONLY = process.env.BENCH_ONLY?.split(',');

// ── processes ────────────────────────────────────────────────────────────────────────────────────
function forkServer(file, env = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(join(root, 'bench', file), { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.once('message', (m) => resolve({ child, port: m.port, pid: child.pid }));
    child.once('exit', (code) => reject(new Error(`${file} exited ${code}`)));
  });
}

function startGw(upstreamPort, redisPort, extraArgs = []) {
  const logPath = join(out, 'file-log.json');
  const config = readFileSync(join(root, 'bench/gw.yaml'), 'utf8')
    .replaceAll('UPSTREAM_PORT', String(upstreamPort))
    .replaceAll('LOG_PATH', logPath)
    .replaceAll('REDIS_PORT', String(redisPort));
  const file = join(out, 'gw.yaml');
  writeFileSync(file, config);
  const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'start', '-s', file, '--port', '0', '--host', '127.0.0.1', ...extraArgs], {
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
      if (match) resolve({ child, port: Number(match[1]), pid: child.pid });
    });
    child.once('exit', (code) => reject(new Error(`gw exited ${code}: ${text}`)));
  });
}

// ── workloads ────────────────────────────────────────────────────────────────────────────────────
const capture = (file, index) => JSON.parse(readFileSync(join(root, 'test/fixtures/claude-code', file), 'utf8')).requests[index];
const cc87 = capture('cc-2.1.330-print-json.full.json', 0);
const cc60 = capture('cc-2.0.37-print-json.full.json', 0);
const ccHeaders = (c) => {
  const headers = { ...c.headers, 'x-api-key': 'sk-ant-bench' };
  for (const h of ['host', 'content-length', 'connection']) delete headers[h];
  return headers;
};
const body = (c, stream) => JSON.stringify({ ...c.body, stream });

const WORKLOADS = [
  // `quiet`: also through a second gw with Kong's `headers` and `headers_upstream` off, in the same rounds
  // against the same baseline runs: what those headers cost.
  { name: 'plain', what: 'small POST, plain route, no plugins', connections: 32, gwPath: '/plain/echo', basePath: '/echo', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hello: 'world', n: 42, list: [1, 2, 3] }), quiet: true, rounds: 5, seconds: 3 },
  { name: 'cc-oneshot', what: 'Claude Code 87 KB body → ai-proxy → Bedrock invoke, file-log', connections: 16, gwPath: '/cc50/v1/messages?beta=true', basePath: '/d50/model/bench/invoke', headers: ccHeaders(cc87), body: body(cc87, false) },
  // `budget`: also the same path with ai-rate-limiting-advanced counting in Redis (a read before the
  // upstream call, an add after), through the same gw in the same rounds: what the budget costs.
  { name: 'cc-stream-50', what: 'Claude Code 87 KB → ai-proxy → eventstream (50 deltas) → SSE, file-log', connections: 16, gwPath: '/cc50/v1/messages?beta=true', basePath: '/d50/model/bench/invoke-with-response-stream', headers: ccHeaders(cc87), body: body(cc87, true), budget: '/budget/v1/messages?beta=true' },
  { name: 'cc-stream-500', what: 'Claude Code 60 KB → ai-proxy → eventstream (500 deltas) → SSE, file-log', connections: 16, gwPath: '/cc500/v1/messages?beta=true', basePath: '/d500/model/bench/invoke-with-response-stream', headers: ccHeaders(cc60), body: body(cc60, true) },
  { name: 'cc-stream-50-nolog', what: 'as cc-stream-50 with file-log off', connections: 16, gwPath: '/cc50nolog/v1/messages?beta=true', basePath: '/d50/model/bench/invoke-with-response-stream', headers: ccHeaders(cc87), body: body(cc87, true) },
].filter((w) => !ONLY || ONLY.includes(w.name));

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
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpuPerReq: cpu / Math.max(ok, 1), rss: rss.stop(), requests: ok };
}

/** The middle value; for an even count the mean of the two middle ones. */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const ratio = (a, b) => (b === 0 ? NaN : a / b);
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

// Time from the request being sent to the first response byte, one request at a time.
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

async function manyStreams(port, path, workload, count) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
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
const redis = WORKLOADS.some((w) => w.budget) ? await startRedis() : undefined;
if (redis?.missing) console.warn(`! no redis-server (${redis.missing}): the budget variant of cc-stream-50 is left out\n`);
const gw = await startGw(upstream.port, redis?.port ?? 9);
const quiet = WORKLOADS.some((w) => w.quiet) ? await startGw(upstream.port, redis?.port ?? 9, ['--headers', 'off', '--headers-upstream', 'off']) : undefined;
console.log(`gw bench: interleaved rounds per target per workload (${WORKLOADS.map((w) => `${w.name} ${roundsOf(w)} × ${secondsOf(w)}s`).join(', ')}); upstream, baseline and gw are separate processes\n`);

const summary = [];
for (const workload of WORKLOADS) {
  const budget = workload.budget !== undefined && redis?.port !== undefined;
  const targets = { baseline, gw, ...(workload.quiet ? { quiet } : {}), ...(budget ? { budget: gw } : {}) };
  const names = Object.keys(targets);
  const pathOf = (name) => (name === 'baseline' ? workload.basePath : name === 'budget' ? workload.budget : workload.gwPath);
  // warm all (JIT, keep-alive pools)
  for (const name of names) await load(targets[name], { ...workload, connections: 4 }, pathOf(name));
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < roundsOf(workload); round++) {
    // Each round in a different order, so drift hits every target alike.
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) runs[name].push(await load(targets[name], workload, pathOf(name)));
  }
  const agg = (name, key) => median(runs[name].map((r) => r[key]));
  const row = {};
  for (const key of ['rps', 'p50', 'p99', 'cpuPerReq', 'rss']) row[key] = { base: agg('baseline', key), gw: agg('gw', key) };
  console.log(`${workload.name}: ${workload.what} (${workload.connections} connections)`);
  console.log(`  req/s      baseline ${fmt(row.rps.base)}   gw ${fmt(row.rps.gw)}   ratio ${fmt(ratio(row.rps.gw, row.rps.base), 2)}`);
  console.log(`  p50 ms     baseline ${fmt(row.p50.base, 2)}   gw ${fmt(row.p50.gw, 2)}   ratio ${fmt(ratio(row.p50.gw, row.p50.base), 2)}`);
  console.log(`  p99 ms     baseline ${fmt(row.p99.base, 2)}   gw ${fmt(row.p99.gw, 2)}   ratio ${fmt(ratio(row.p99.gw, row.p99.base), 2)}`);
  console.log(`  CPU µs/req baseline ${fmt(row.cpuPerReq.base)}   gw ${fmt(row.cpuPerReq.gw)}   ratio ${fmt(ratio(row.cpuPerReq.gw, row.cpuPerReq.base), 2)}`);
  const quietCpu = workload.quiet ? agg('quiet', 'cpuPerReq') : undefined;
  if (quietCpu !== undefined) console.log(`  CPU µs/req gw with --headers off --headers-upstream off ${fmt(quietCpu)}   ratio ${fmt(ratio(quietCpu, row.cpuPerReq.base), 2)}`);
  if (budget) {
    const budgetCpu = agg('budget', 'cpuPerReq');
    const counted = await redis.total('gw:ai-rl:*');
    console.log(`  CPU µs/req the same path with ai-rate-limiting-advanced (strategy redis) ${fmt(budgetCpu)}   ratio to the path without it ${fmt(ratio(budgetCpu, row.cpuPerReq.gw), 2)}   p50 ms ${fmt(agg('budget', 'p50'), 2)}`);
    console.log(`  Redis counted ${counted.sum} tokens under ${counted.keys} keys`);
    summary.push(`${workload.name}-budget-redis cpu ${fmt(ratio(budgetCpu, row.cpuPerReq.gw), 2)}x of ${workload.name}`);
  }
  console.log(`  peak RSS   baseline ${fmt(row.rss.base / 2 ** 20)} MB   gw ${fmt(row.rss.gw / 2 ** 20)} MB\n`);
  summary.push(`${workload.name} cpu ${fmt(ratio(row.cpuPerReq.gw, row.cpuPerReq.base), 2)}x rps ${fmt(ratio(row.rps.gw, row.rps.base), 2)}x`);
  if (quietCpu !== undefined) summary.push(`${workload.name}-headers-off cpu ${fmt(ratio(quietCpu, row.cpuPerReq.base), 2)}x`);
}

// Added time to first SSE byte, concurrency 1.
const streamWorkload = WORKLOADS.find((w) => w.name === 'cc-stream-50') ?? WORKLOADS[0];
if (streamWorkload) {
  const samples = { baseline: [], gw: [] };
  for (let i = 0; i < 200; i++) {
    samples.baseline.push(await ttfb(baseline.port, streamWorkload, streamWorkload.basePath));
    samples.gw.push(await ttfb(gw.port, streamWorkload, streamWorkload.gwPath));
  }
  const added = median(samples.gw) - median(samples.baseline);
  console.log(`time to first byte (${streamWorkload.name}, concurrency 1, median of 200): baseline ${fmt(median(samples.baseline), 3)} ms, gw ${fmt(median(samples.gw), 3)} ms, added ${fmt(added, 3)} ms\n`);
  summary.push(`ttfb +${fmt(added, 3)}ms`);
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
  const waves = [];
  for (let wave = 0; wave < 2; wave++) {
    const sampler = sampleRss(gw.pid);
    const ok = await manyStreams(gw.port, '/slow/v1/messages?beta=true', w, count);
    const peak = sampler.stop();
    await settle();
    waves.push({ ok, peak, after: rssBytes(gw.pid) });
  }
  const mb = (b) => fmt(b / 2 ** 20);
  const over = (b) => `${b >= idle ? '+' : '-'}${mb(Math.abs(b - idle))}`;
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
for (const t of [gw, quiet, baseline, upstream]) t?.child.kill('SIGTERM');
await redis?.stop();
