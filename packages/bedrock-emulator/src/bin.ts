#!/usr/bin/env node
// gw-bedrock-emulator: serve the emulator on loopback for the offline demo and benchmarks.
import { parseArgs } from 'node:util';
import { DEFAULT_CREDENTIALS, SCENARIOS, startBedrockEmulator } from './index.js';

const USAGE = `usage: gw-bedrock-emulator [--port 4010] [--host 127.0.0.1] [--region us-east-1] [--scenario text]
scenarios: ${SCENARIOS.join(', ')} (per request: put [scenario:NAME] in the last user message)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      region: { type: 'string', default: 'us-east-1' },
      scenario: { type: 'string', default: 'text' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got "${values.port}"`);
  const emulator = await startBedrockEmulator({ port, host: values.host, region: values.region, defaultScenario: values.scenario });
  // The key pair is AWS's public documentation example, so printing it leaks nothing.
  console.log(`gw-bedrock-emulator listening on ${emulator.url}
  AWS_REGION=${values.region}
  AWS_ACCESS_KEY_ID=${DEFAULT_CREDENTIALS.accessKeyId}
  AWS_SECRET_ACCESS_KEY=${DEFAULT_CREDENTIALS.secretAccessKey}
  endpoint for the AWS SDK / ai-proxy: ${emulator.url}  (HTTP/1.1)`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`gw-bedrock-emulator: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`gw-bedrock-emulator: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(1);
});
