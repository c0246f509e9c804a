/**
 * The lifecycle controller over a real gateway and the real config loader: reloads from files and from
 * posted text are all-or-nothing with structured problems, requests keep the config they started on,
 * operations run one at a time, and stage/commit/discard applies one config to several gateways together
 * (the seam a cluster primary uses) or to none of them.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { definePlugin } from '@gw/plugin-api';
import { loadConfig } from '../../src/config/load.js';
import { createGateway } from '../../src/server/gateway.js';
import { createLifecycle, type Lifecycle } from '../../src/lifecycle/controller.js';
import { followSignals } from '../../src/lifecycle/signals.js';
import type { AnyPlugin } from '../../src/runtime/registry.js';
import { deferred, holdingUpstream, recordingLogger, send, type RecordingLogger } from '../support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Tags upstream requests with its config's `v`; counts instances started and closed; refuses to start on `fail`. */
function tracer(events: string[]) {
  return definePlugin<{ v: string; fail?: boolean }, { v: string }>({
    name: 'tracer',
    version: '1.0.0',
    priority: 10,
    configSchema: { type: 'object', properties: { v: { type: 'string' }, fail: { type: 'boolean' } }, required: ['v'] },
    init: (config) => {
      if (config.fail) throw new Error(`tracer ${config.v} cannot start`);
      events.push(`init ${config.v}`);
      return { v: config.v };
    },
    close: (state) => void events.push(`close ${state.v}`),
    upstream: ({ state, upstream }) => void (upstream.headers['x-version'] = state.v),
  });
}

function deck(port: number, v: string, paths = ['/'], extra = ''): string {
  return `_format_version: "3.0"
services:
  - name: up
    url: http://127.0.0.1:${port}
    routes:
      - name: r
        paths: [${paths.join(', ')}]
        strip_path: false
plugins:
  - name: tracer
    config: { v: ${v} }
${extra}`;
}

interface Running {
  lifecycle: Lifecycle;
  port: number;
  file: string;
  logger: RecordingLogger;
  events: string[];
}

async function start(yaml: (file: string) => string, plugins: AnyPlugin[] = [], env: NodeJS.ProcessEnv = {}, stageTimeoutMs?: number): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-lifecycle-'));
  const file = path.join(dir, 'kong.yaml');
  writeFileSync(file, yaml(file));
  const events: string[] = [];
  const registry = new Map<string, AnyPlugin>([tracer(events) as AnyPlugin, ...plugins].map((p) => [p.name, p]));
  const loaded = await loadConfig([file], { env, plugins: registry });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const logger = recordingLogger();
  const gateway = await createGateway({ config: loaded.config, plugins: registry, logger });
  const { port } = await gateway.listen(0, '127.0.0.1');
  const lifecycle = createLifecycle({ gateway, plugins: registry, initial: loaded, files: [file], logger, env: () => env, stageTimeoutMs });
  cleanups.push(() => lifecycle.drain(1000));
  return { lifecycle, port, file, logger, events };
}

describe('lifecycle controller', () => {
  it('reloads the files: a valid one serves whole from the next request, an invalid one comes back as every problem and changes nothing', async () => {
    const { up } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1', ['/one']));
    expect((await send(gw.port, { path: '/one' })).body).toBe('v1');

    writeFileSync(gw.file, deck(up.port, 'v2', ['/two']));
    const reloaded = await gw.lifecycle.reload({ kind: 'files' });
    expect(reloaded).toMatchObject({ ok: true, changed: true });
    expect((await send(gw.port, { path: '/two' })).body).toBe('v2');
    expect((await send(gw.port, { path: '/one' })).status).toBe(404);

    const before = gw.lifecycle.current();
    writeFileSync(gw.file, `${deck(up.port, 'v3', ['nope'])}  - name: tracer\n    route: nowhere\n    config: { v: x }\n`);
    const refused = await gw.lifecycle.reload({ kind: 'files' });
    expect(refused.ok).toBe(false);
    if (refused.ok || refused.reason !== 'invalid') throw new Error('expected problems');
    expect(refused.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '7:17 services[0].routes[0].paths[0]: must start with "/" or "~/"',
      '13:12 plugins[1].route: route nowhere for plugin tracer: entity not found',
    ]);
    expect(refused.problems.every((p) => p.file === gw.file)).toBe(true);
    expect(gw.lifecycle.current()).toBe(before);
    expect((await send(gw.port, { path: '/two' })).body).toBe('v2');
    expect(gw.events).toEqual(['init v1', 'init v2', 'close v1']);
    expect(gw.logger.lines.some((l) => l.includes('reload failed: 2 problems; the previous configuration keeps serving'))).toBe(true);
  });

  it('applies a posted text without environment substitution; a ${{ env }} left in is a problem, $NAME stays literal', async () => {
    const { up } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1'), [], { DECK_V: 'from-env' });
    const env = await gw.lifecycle.reload({ kind: 'text', text: deck(up.port, '"${{ env \\"DECK_V\\" }}"') });
    expect(env).toMatchObject({ ok: false, reason: 'invalid' });
    if (env.ok || env.reason !== 'invalid') throw new Error('expected problems');
    expect(env.problems).toEqual([
      { file: 'config', line: 11, column: 18, path: 'plugins[0].config.v', message: expect.stringContaining('is not substituted in a posted config') as string },
    ]);
    const literal = await gw.lifecycle.reload({ kind: 'text', text: deck(up.port, '"$V"') });
    expect(literal).toMatchObject({ ok: true, changed: true });
    expect((await send(gw.port, { path: '/' })).body).toBe('$V');
    expect(gw.lifecycle.current().origin).toBe('admin');
  });

  it("accepts Kong's _comment and _ignore in a posted text, at the top and on entities, and only there", async () => {
    const { up } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1'));
    const annotated = deck(up.port, 'v2').replace('_format_version: "3.0"', '_format_version: "3.0"\n_comment: top\n_ignore: [1, {a: b}]').replace('  - name: up', '  - name: up\n    _comment: a service');
    expect(await gw.lifecycle.reload({ kind: 'text', text: annotated })).toMatchObject({ ok: true });
    const wrongType = await gw.lifecycle.reload({ kind: 'text', text: annotated.replace('_comment: top', '_comment: [not, a, string]') });
    expect(wrongType).toMatchObject({ ok: false, problems: [{ path: '_comment', message: 'expected a string' }] });
    // A decK file doesn't have them: the file loader still refuses them.
    writeFileSync(gw.file, annotated);
    expect(await gw.lifecycle.reload({ kind: 'files' })).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('checkHash: the running config again is not started at all (changed: false); without it, it is applied again', async () => {
    const { up } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1'));
    const same = deck(up.port, 'v1');
    expect(await gw.lifecycle.reload({ kind: 'text', text: same }, { checkHash: true })).toMatchObject({ ok: true, changed: false });
    expect(gw.events).toEqual(['init v1']);
    // Formatting and file position are not part of the hash.
    expect(await gw.lifecycle.reload({ kind: 'text', text: `# a comment\n${same}` }, { checkHash: true })).toMatchObject({ ok: true, changed: false });
    expect(await gw.lifecycle.reload({ kind: 'text', text: same })).toMatchObject({ ok: true, changed: false });
    expect(gw.events).toEqual(['init v1', 'init v1', 'close v1']);
  });

  it('a request keeps the config it started on; a plugin that cannot start refuses the reload and nothing changes', async () => {
    const { up, release, arrived } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1'));
    const held = send(gw.port, { path: '/hold' });
    await arrived.promise;
    expect(await gw.lifecycle.reload({ kind: 'text', text: deck(up.port, 'v2') })).toMatchObject({ ok: true });
    expect((await send(gw.port, { path: '/now' })).body).toBe('v2');
    release.resolve();
    expect((await held).body).toBe('v1');

    const failing = await gw.lifecycle.reload({ kind: 'text', text: deck(up.port, 'v3').replace('{ v: v3 }', '{ v: v3, fail: true }') });
    expect(failing).toEqual({ ok: false, reason: 'refused', message: 'tracer v3 cannot start' });
    expect((await send(gw.port, { path: '/now' })).body).toBe('v2');
  });

  it('runs operations one at a time, in the order asked', async () => {
    const { up } = await holdingUpstream(cleanups);
    const gate = deferred();
    const slow = definePlugin({ name: 'slow-start', version: '1.0.0', priority: 1, configSchema: {}, init: () => gate.promise });
    const gw = await start(() => deck(up.port, 'v1'), [slow as AnyPlugin]);
    const first = gw.lifecycle.reload({ kind: 'text', text: deck(up.port, 'v2', ['/'], '  - name: slow-start\n') });
    const second = gw.lifecycle.reload({ kind: 'text', text: deck(up.port, 'v3') });
    await new Promise((r) => setTimeout(r, 50));
    // The second waits for the first, whose second plugin is still starting.
    expect(gw.events).toEqual(['init v1', 'init v2']);
    gate.resolve();
    expect(await first).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: true });
    expect(gw.events).toEqual(['init v1', 'init v2', 'close v1', 'init v3', 'close v2']);
    expect((await send(gw.port, { path: '/' })).body).toBe('v3');
  });

  it('stage on several gateways, commit on all only when every one staged; otherwise discard: none changes', async () => {
    const { up } = await holdingUpstream(cleanups);
    const workers = await Promise.all([start(() => deck(up.port, 'v1')), start(() => deck(up.port, 'v1'))]);
    const apply = async (text: (worker: number) => string) => {
      const staged = await Promise.all(workers.map((w, i) => w.lifecycle.stage({ kind: 'text', text: text(i) })));
      if (staged.every((s) => s.ok)) {
        for (const s of staged) if (s.ok) await s.commit();
        return true;
      }
      for (const s of staged) if (s.ok) await s.discard();
      return false;
    };
    // Worker 1's copy cannot start (in a cluster: a worker out of memory, a file it can't open).
    expect(await apply((i) => deck(up.port, 'v2').replace('{ v: v2 }', `{ v: v2, fail: ${i === 1} }`))).toBe(false);
    for (const w of workers) expect((await send(w.port, { path: '/' })).body).toBe('v1');
    expect(workers[0].events).toEqual(['init v1', 'init v2', 'close v2']);

    expect(await apply(() => deck(up.port, 'v3'))).toBe(true);
    for (const w of workers) expect((await send(w.port, { path: '/' })).body).toBe('v3');
    expect(new Set(workers.map((w) => w.lifecycle.current().hash)).size).toBe(1);
  });

  it('a stage neither committed nor discarded in time is discarded: its plugins close, the controller is free again', async () => {
    const { up } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1'), [], {}, 150);
    const staged = await gw.lifecycle.stage({ kind: 'text', text: deck(up.port, 'v2') });
    if (!staged.ok) throw new Error('not staged');
    // What a primary that went away leaves: nobody settles it. The next operation waits for the timeout only.
    const next = gw.lifecycle.reload({ kind: 'text', text: deck(up.port, 'v3') });
    expect(await next).toMatchObject({ ok: true, changed: true });
    expect(gw.events).toEqual(['init v1', 'init v2', 'close v2', 'init v3', 'close v1']);
    expect(gw.logger.lines.join('\n')).toMatch(/a staged configuration was neither committed nor discarded within 150 ms: discarded/);
    await expect(staged.commit()).rejects.toThrow(/discarded: neither committed nor discarded within 150 ms/);
    expect((await send(gw.port, { path: '/' })).body).toBe('v3');
  });

  it('follows signals: SIGHUP reloads, SIGUSR1 reopens, SIGTERM drains and then refuses new configs', async () => {
    const { up } = await holdingUpstream(cleanups);
    const gw = await start(() => deck(up.port, 'v1'));
    const signals = new EventEmitter();
    const stopped = followSignals(gw.lifecycle, { drainMs: 1000, logger: gw.logger, target: signals as unknown as NodeJS.Process });
    writeFileSync(gw.file, deck(up.port, 'v2'));
    signals.emit('SIGHUP');
    signals.emit('SIGUSR1');
    await expect.poll(() => gw.logger.lines.join('\n')).toMatch(/reloaded .*kong\.yaml \(1 route, 1 plugin\)[\s\S]*reopened log files/);
    expect((await send(gw.port, { path: '/' })).body).toBe('v2');
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await stopped).toBe(0);
    expect(await gw.lifecycle.reload({ kind: 'text', text: deck(up.port, 'v3') })).toMatchObject({ ok: false, reason: 'closing' });
  });
});
