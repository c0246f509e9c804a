/** The Claude Code → Bedrock route (the example's shape), a Messages client, and a TCP relay to watch the upstream. */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
export const INPUT_COST = 3; // per million tokens
export const OUTPUT_COST = 15;

/** Credentials only the emulator and the DECK_ environment know: any appearance in a log is a leak. */
export const AWS_KEYS = { accessKeyId: 'AKIAGWINTEGRATION7Q2X', secretAccessKey: 'gwIntegrationSecret/Xk29+ZmQpL0vN8wT4rYb' };

export const deckEnv = {
  DECK_AWS_ACCESS_KEY_ID: AWS_KEYS.accessKeyId,
  DECK_AWS_SECRET_ACCESS_KEY: AWS_KEYS.secretAccessKey,
  DECK_AWS_REGION: 'us-east-1',
};

/** ai-proxy on /anything (as in examples/claude-code-bedrock), optionally a plain route, file-log globally. */
export function bedrockConfig(logPath: string, plain?: { port: number }): string {
  const plainService = plain
    ? `  - name: echo
    url: http://127.0.0.1:${plain.port}
    routes:
      - name: plain
        paths: [/echo]
`
    : '';
  return `_format_version: "3.0"
services:
  - name: claude-code
    url: http://127.0.0.1:9/anything
    routes:
      - name: claude-code
        paths: [/anything]
${plainService}plugins:
  - name: ai-proxy
    route: claude-code
    config:
      llm_format: anthropic
      route_type: llm/v1/chat
      logging:
        log_statistics: true
      auth:
        allow_override: false
        aws_access_key_id: "\${aws_access_key_id}"
        aws_secret_access_key: "\${aws_secret_access_key}"
      model:
        provider: bedrock
        name: ${MODEL}
        options:
          anthropic_version: bedrock-2023-05-31
          bedrock:
            aws_region: "\${aws_region}"
          max_tokens: 8192
          input_cost: ${INPUT_COST}
          output_cost: ${OUTPUT_COST}
  - name: file-log
    config:
      path: ${logPath}
`;
}

export interface Exchange {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export function post(url: string, headers: Record<string, string>, body: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface ClientUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** The usage the client was told: the JSON body's, or message_start's merged with the last message_delta's. */
export function clientUsage(text: string, streamed: boolean): ClientUsage {
  const merged: Record<string, number> = {};
  if (!streamed) Object.assign(merged, (JSON.parse(text) as { usage: Record<string, number> }).usage);
  else {
    for (const line of text.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const event = JSON.parse(line.slice(5)) as { type: string; message?: { usage?: object }; usage?: object };
      if (event.type === 'message_start') Object.assign(merged, event.message?.usage);
      if (event.type === 'message_delta') Object.assign(merged, event.usage);
    }
  }
  return {
    input_tokens: merged.input_tokens ?? 0,
    output_tokens: merged.output_tokens ?? 0,
    cache_read_input_tokens: merged.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: merged.cache_creation_input_tokens ?? 0,
  };
}

export interface Relay {
  url: string;
  /** Bytes the upstream sent back, per connection, and whether the gateway side closed it. */
  connections: { fromUpstream: Buffer[]; gatewayClosed: boolean }[];
  close(): Promise<void>;
}

/** A byte-for-byte TCP relay in front of `port`: shows what the gateway does with its upstream connection. */
export async function startRelay(port: number): Promise<Relay> {
  const connections: Relay['connections'] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((fromGateway) => {
    const toUpstream = net.connect(port, '127.0.0.1');
    const seen = { fromUpstream: [] as Buffer[], gatewayClosed: false };
    connections.push(seen);
    for (const s of [fromGateway, toUpstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
    }
    fromGateway.on('data', (c: Buffer) => toUpstream.write(c));
    toUpstream.on('data', (c: Buffer) => {
      seen.fromUpstream.push(c);
      fromGateway.write(c);
    });
    fromGateway.on('close', () => {
      seen.gatewayClosed = true;
      toUpstream.destroy();
    });
    toUpstream.on('close', () => fromGateway.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A small non-streaming Messages request to `<gateway>/<route>/v1/messages` (scenario `text`). */
export function askMessages(gatewayUrl: string, route: string): Promise<Response> {
  return fetch(`${gatewayUrl}/${route}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'hi [scenario:text]' }] }),
  });
}

/**
 * One ai-proxy route on `/<route>` with no keys in the config: credentials come from the environment.
 * `bedrock`: model.options.bedrock (default: the region only; `{}` leaves the region to the environment).
 */
export function keylessBedrockConfig(route: string, bedrock: Record<string, string> = { aws_region: 'us-east-1' }): string {
  const options = Object.entries(bedrock).map(([name, value]) => `${name}: "${value}"`).join(', ');
  return `_format_version: "3.0"
services:
  - name: bedrock
    url: http://127.0.0.1:9
    routes:
      - name: ${route}
        paths: [/${route}]
        plugins:
          - name: ai-proxy
            config:
              llm_format: anthropic
              route_type: llm/v1/chat
              model: { provider: bedrock, name: ${MODEL}, options: { bedrock: { ${options} } } }
`;
}
