/** ai-proxy-advanced routes over several Bedrock emulators (regions, accounts), for the failover tests. */
import net from 'node:net';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';

export const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

/** One emulator per region, each accepting only its own account's keys: a try signed for another fails. */
export interface Region {
  name: string;
  keys: { accessKeyId: string; secretAccessKey: string };
  emulator: Emulator;
}

export async function startRegions(names: string[]): Promise<Region[]> {
  return Promise.all(names.map(async (name, i) => {
    const keys = { accessKeyId: `AKIAGWREGION${i}TEST00`, secretAccessKey: `regionSecret${i}/Xk29+ZmQpL0vN8wT4rYbQ` };
    return { name, keys, emulator: await startBedrockEmulator({ region: name, credentials: [keys] }) };
  }));
}

export interface TargetSpec {
  region: Region | { name: string; url: string; keys: Region['keys'] };
  model?: string;
  weight?: number;
  description?: string;
  alias?: string;
}

const urlOf = (r: TargetSpec['region']) => ('emulator' in r ? r.emulator.url : r.url);

/** A decK file: one Anthropic-format route with ai-proxy-advanced over `targets`, file-log to `logPath`. */
export function advancedConfig(logPath: string, targets: TargetSpec[], balancer: Record<string, unknown> = {}): string {
  const targetYaml = targets.map((t) => `      - route_type: llm/v1/chat
        ${t.weight === undefined ? '' : `weight: ${t.weight}`}
        ${t.description === undefined ? '' : `description: ${JSON.stringify(t.description)}`}
        logging:
          log_statistics: true
        auth:
          aws_access_key_id: ${t.region.keys.accessKeyId}
          aws_secret_access_key: ${JSON.stringify(t.region.keys.secretAccessKey)}
        model:
          provider: bedrock
          name: ${t.model ?? HAIKU}
          ${t.alias === undefined ? '' : `model_alias: ${t.alias}`}
          options:
            upstream_url: ${urlOf(t.region)}
            bedrock:
              aws_region: ${t.region.name}`).join('\n');
  return `_format_version: "3.0"
services:
  - name: llm
    url: http://127.0.0.1:9
    routes:
      - name: llm
        paths: [/llm]
plugins:
  - name: ai-proxy-advanced
    route: llm
    config:
      llm_format: anthropic
      balancer: ${JSON.stringify(balancer)}
      targets:
${targetYaml}
  - name: file-log
    config:
      path: ${logPath}
`;
}

/** A port nothing listens on (a region that can't be reached). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export const messagesBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'claude-haiku-4-5-20251001', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }], ...extra });
