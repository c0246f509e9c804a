/**
 * Issue 4: no credential reaches the log file or the gateway's own messages: not the client's
 * (authorization, x-api-key, proxy-authorization, cookie) on a plain or an ai-proxy route, and not the
 * AWS keys ai-proxy signs with (DECK_ environment → config).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBedrockEmulator, type Emulator } from '@gw/bedrock-emulator';
import { readLogLines, setEnv, startGateway, tempDir, type RunningGateway } from './support/gateway.js';
import { echoBody, get, keepAliveAgent, startEcho, type Echo } from './support/traffic.js';
import { AWS_KEYS, MODEL, bedrockConfig, deckEnv, post } from './support/bedrock.js';

const CLIENT_SECRETS = {
  authorization: 'Bearer sk-secret-1',
  'x-api-key': 'sk-secret-2',
  'proxy-authorization': 'Basic sk-secret-3',
  cookie: 'session=sk-secret-4',
};
const WRONG_SECRET = 'gwNotTheRightSecret/Qw81+PzLk3';
const SECRET_VALUES = ['sk-secret-1', 'sk-secret-2', 'sk-secret-3', 'sk-secret-4', AWS_KEYS.accessKeyId, AWS_KEYS.secretAccessKey];

describe('secrets never reach the log (real gateway)', () => {
  let emulator: Emulator;
  let echo: Echo;
  let gw: RunningGateway;
  let logPath: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startBedrockEmulator({ credentials: [AWS_KEYS] });
    echo = await startEcho();
    restoreEnv = setEnv({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url });
    const dir = tempDir();
    logPath = join(dir, 'access.json');
    gw = await startGateway(bedrockConfig(logPath, { port: echo.port }), { dir, env: deckEnv });
  });
  afterAll(async () => {
    await gw?.close();
    restoreEnv?.();
    await echo?.close();
    await emulator?.close();
  });

  it('redacts client credentials and leaves no AWS key anywhere in the log file', async () => {
    const agent = keepAliveAgent();
    const plain = await get(agent, `${gw.url}/echo/secret`, CLIENT_SECRETS);
    agent.destroy();
    expect(plain.status).toBe(200);
    expect(plain.body).toBe(echoBody('/secret'));

    const body = JSON.stringify({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hi [scenario:text]' }] });
    const headers = { ...CLIENT_SECRETS, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
    const ai = await post(`${gw.url}/anything/v1/messages`, headers, body);
    expect(ai.status, ai.text).toBe(200);
    // The request really was signed with the DECK_ keys (the emulator verifies SigV4 against them).
    expect(emulator.received.at(-1)?.signatureValid).toBe(true);
    // An upstream refusal must not leak either: a gateway signing with a secret the emulator doesn't know.
    const wrongDir = tempDir();
    const wrongLog = join(wrongDir, 'access.json');
    const wrong = await startGateway(bedrockConfig(wrongLog), { dir: wrongDir, env: { ...deckEnv, DECK_AWS_SECRET_ACCESS_KEY: WRONG_SECRET } });
    const denied = await post(`${wrong.url}/anything/v1/messages`, headers, body);
    await wrong.close();
    // Bedrock's signature error → 403 permission_error (never 401: Claude Code would "refresh" and retry).
    expect(denied.status, denied.text).toBe(403);
    expect(JSON.parse(denied.text).error.type).toBe('permission_error');
    expect(emulator.received.at(-1)?.signatureValid).toBe(false);

    await gw.close();
    const lines = [...readLogLines(logPath), ...readLogLines(wrongLog)];
    expect(lines.map((l) => l.route?.name)).toEqual(['plain', 'claude-code', 'claude-code']);
    const text = readFileSync(logPath, 'utf8') + readFileSync(wrongLog, 'utf8');
    const messages = [...gw.messages, ...wrong.messages].join('\n');
    for (const secret of [...SECRET_VALUES, WRONG_SECRET]) {
      expect(text.includes(secret), `log file contains ${secret}`).toBe(false);
      expect(messages.includes(secret), `gateway messages contain ${secret}`).toBe(false);
      expect(denied.text.includes(secret), `error response contains ${secret}`).toBe(false);
    }
    for (const line of lines) {
      for (const name of Object.keys(CLIENT_SECRETS)) expect(line.request.headers[name], `${line.request.uri} ${name}`).toBe('REDACTED');
    }
  });
});
