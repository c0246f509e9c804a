/**
 * The lifecycle of the AWS shared-files tests (keys, roles, SSO, credential_process): one emulator per
 * describe block, the AWS_* variables pointed at temp files and at the emulator, and one gateway per
 * test started with AWS_PROFILE set (the files are read when the plugin instance is created).
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Emulator } from '@gw/bedrock-emulator';
import { setEnv, startGateway, type RunningGateway } from './gateway.js';
import { askMessages, keylessBedrockConfig } from './bedrock.js';

/**
 * Every AWS endpoint at the emulator, no region from the environment, and environment keys the emulator
 * doesn't know: with AWS_PROFILE set, gw must pass them over, as the AWS SDKs do.
 */
export function profileEnv(url: string, more: Record<string, string>): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
    AWS_ENDPOINT_URL_STS: url,
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
    AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENTKEYS0',
    AWS_SECRET_ACCESS_KEY: 'environmentSecretThatIsNotTheProfiles',
    ...more,
  };
}

/** HOME and the shared files where the AWS CLI puts them under it (~/.aws/config, ~/.aws/credentials). */
export function awsHome(home: string): Record<string, string> {
  return { HOME: home, AWS_CONFIG_FILE: join(home, '.aws', 'config'), AWS_SHARED_CREDENTIALS_FILE: join(home, '.aws', 'credentials') };
}

/** `setup` starts the emulator and writes the files; it returns both, and the environment (profileEnv). */
export function useProfileGateways(setup: () => Promise<{ emulator: Emulator; env: Record<string, string> }>): {
  /** A gateway on route `dev` (no keys, no region in its config) with AWS_PROFILE=`profile`; closed after the test. */
  gatewayWith(profile: string, bedrock?: Record<string, string>): Promise<RunningGateway>;
} {
  let emulator: Emulator | undefined;
  let restoreEnv: (() => void) | undefined;
  let restoreProfile: (() => void) | undefined;
  let gw: RunningGateway | undefined;
  beforeAll(async () => {
    const ready = await setup();
    emulator = ready.emulator;
    restoreEnv = setEnv(ready.env);
  });
  afterEach(async () => {
    await gw?.close();
    gw = undefined;
    restoreProfile?.();
    restoreProfile = undefined;
  });
  afterAll(async () => {
    restoreEnv?.();
    await emulator?.close();
  });
  return {
    async gatewayWith(profile, bedrock = {}) {
      restoreProfile = setEnv({ AWS_PROFILE: profile });
      gw = await startGateway(keylessBedrockConfig('dev', bedrock));
      return gw;
    },
  };
}

/**
 * Asks on route `dev` and expects gw's credentials error: an Anthropic-format 500 quoting none of
 * `secrets`, which gw's own messages don't hold either. Returns the error message and what the
 * emulator received meanwhile.
 */
export async function expectCredentialsError(
  gateway: RunningGateway,
  emulator: Emulator,
  secrets: readonly string[],
): Promise<{ message: string; seen: Emulator['received'] }> {
  const before = emulator.received.length;
  const answer = await askMessages(gateway.url, 'dev');
  expect(answer.status).toBe(500);
  const text = await answer.text();
  const body = JSON.parse(text) as { type: string; error: { type: string; message: string } };
  expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(gateway.messages.join('\n')).not.toContain(secret);
  }
  return { message: body.error.message, seen: emulator.received.slice(before) };
}

/** `count` Bedrock calls among `seen`, each validly signed with temporary (`ASIA…`) credentials for `region`. */
export function expectTemporaryInvokes(seen: Emulator['received'], count: number, region: string): void {
  const invokes = seen.filter((r) => r.operation === 'invoke');
  expect(invokes).toHaveLength(count);
  for (const invoke of invokes) {
    expect(invoke.signatureValid).toBe(true);
    expect(invoke.headers.authorization).toMatch(new RegExp(`Credential=ASIA[0-9A-F]+/\\d{8}/${region}/bedrock/`));
    expect(invoke.headers['x-amz-security-token']).toBeTruthy();
  }
}
