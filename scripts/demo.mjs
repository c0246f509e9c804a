#!/usr/bin/env node
// The offline quick start: the Bedrock emulator plus `gw start` on examples/claude-code-bedrock/kong.yaml
// (unchanged; only AWS_ENDPOINT_URL_BEDROCK_RUNTIME points at the emulator), then the exact `claude`
// command to try. Ctrl-C stops both. Settings come from the environment (see USAGE).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = `usage: pnpm demo [--help]

Starts a Bedrock emulator and gw on examples/claude-code-bedrock/kong.yaml, offline, and prints the
claude command to point at it. Ctrl-C stops both.

environment:
  GW_PORT        port gw listens on (default 8000)
  EMULATOR_PORT  port the Bedrock emulator listens on, on 127.0.0.1 (default 4010)

gw writes its log to /tmp/claude.json (the example's file-log path).`;

let args;
try {
  args = parseArgs({ options: { help: { type: 'boolean', short: 'h' } } }).values;
} catch (error) {
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const gwPort = port('GW_PORT', 8000);
const emulatorPort = port('EMULATOR_PORT', 4010);

// Imported only now, so --help works before a build.
const { startBedrockEmulator, DEFAULT_CREDENTIALS } = await import('../packages/bedrock-emulator/dist/index.js');
const root = fileURLToPath(new URL('..', import.meta.url));
const config = join(root, 'examples/claude-code-bedrock/kong.yaml');
const emulator = await startBedrockEmulator({ port: emulatorPort });
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
  // The port gw reports, so GW_PORT=0 (any free port) prints a usable URL too.
  const listening = /listening on \S+:(\d+)/.exec(String(chunk));
  if (listening) banner(Number(listening[1]));
});
child.once('exit', (code) => {
  emulator.close().then(
    () => process.exit(code ?? 0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill('SIGTERM'));

/** @param {number} listenPort the port gw reported */
function banner(listenPort) {
  console.log(`
Bedrock emulator: ${emulator.url} (stands in for AWS; gw signs every request with SigV4 and the emulator checks it)
gw:               http://localhost:${listenPort}/anything  (examples/claude-code-bedrock/kong.yaml)

Point Claude Code at gw (a throwaway HOME keeps your own settings out of it):

  HOME=$(mktemp -d) ANTHROPIC_BASE_URL=http://localhost:${listenPort}/anything ANTHROPIC_API_KEY=any \\
    ANTHROPIC_MODEL=us.anthropic.claude-haiku-4-5-20251001-v1:0 \\
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_TELEMETRY=1 \\
    npx -y @anthropic-ai/claude-code@2.1.330 -p "say hi"

Add [scenario:tool_use], [scenario:thinking] or [scenario:throttle_once] to the prompt to see other replies.
Then read the log:   jq '.ai.proxy.usage' /tmp/claude.json
Ctrl-C stops gw and the emulator.`);
}

/**
 * A port from the environment, or `fallback` when unset; exits with the usage when it is not one.
 * @param {string} name
 * @param {number} fallback
 * @returns {number}
 */
function port(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    console.error(`demo: ${name} must be a port number (0-65535), got "${raw}"\n\n${USAGE}`);
    process.exit(2);
  }
  return value;
}
