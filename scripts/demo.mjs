#!/usr/bin/env node
// The offline quick start: the Bedrock emulator plus `gw start` on examples/claude-code-bedrock/kong.yaml
// (unchanged; only AWS_ENDPOINT_URL_BEDROCK_RUNTIME points at the emulator), then the exact `claude`
// command to try. Ctrl-C stops both.
//   GW_PORT (8000) and EMULATOR_PORT (4010) change the ports.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { startBedrockEmulator, DEFAULT_CREDENTIALS } from '../packages/bedrock-emulator/dist/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = join(root, 'examples/claude-code-bedrock/kong.yaml');
const gwPort = Number(process.env.GW_PORT ?? 8000);
const emulator = await startBedrockEmulator({ port: Number(process.env.EMULATOR_PORT ?? 4010) });
const credentials = DEFAULT_CREDENTIALS[0];

const env = {
  ...process.env,
  DECK_AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  DECK_AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  DECK_AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
};
const gw = join(root, 'packages/cli/dist/bin.js');

const sync = spawn(process.execPath, [gw, 'sync', '-s', config], { env, stdio: 'inherit' });
const syncCode = await new Promise((resolve) => sync.once('exit', resolve));
if (syncCode !== 0) {
  await emulator.close();
  process.exit(1);
}

const child = spawn(process.execPath, [gw, 'start', '-s', config, '--port', String(gwPort)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (/listening on/.test(String(chunk))) banner();
});
child.once('exit', async (code) => {
  await emulator.close();
  process.exit(code ?? 0);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill('SIGTERM'));

function banner() {
  console.log(`
Bedrock emulator: ${emulator.url} (stands in for AWS; gw signs every request with SigV4 and the emulator checks it)
gw:               http://localhost:${gwPort}/anything  (examples/claude-code-bedrock/kong.yaml)

Point Claude Code at gw (a throwaway HOME keeps your own settings out of it):

  HOME=$(mktemp -d) ANTHROPIC_BASE_URL=http://localhost:${gwPort}/anything ANTHROPIC_API_KEY=any \\
    ANTHROPIC_MODEL=us.anthropic.claude-haiku-4-5-20251001-v1:0 \\
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 \\
    npx -y @anthropic-ai/claude-code@2.1.330 -p "say hi"

Add [scenario:tool_use], [scenario:thinking] or [scenario:throttle_once] to the prompt to see other replies.
Then read the log:   jq '.ai.proxy.usage' /tmp/claude.json
Ctrl-C stops gw and the emulator.`);
}
