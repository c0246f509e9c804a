import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import workspace packages from source, so a change is tested without a rebuild.
// Tests that spawn the `gw` binary use packages/cli/dist (the `test` script builds first).
export default defineConfig({
  resolve: {
    alias: {
      '@gw/plugin-api': src('plugin-api'),
      '@gw/core': src('core'),
      '@gw/plugin-ai-proxy': src('plugin-ai-proxy'),
      '@gw/plugin-file-log': src('plugin-file-log'),
      '@gw/bedrock-emulator': src('bedrock-emulator'),
      '@gw/plugin-key-auth': src('plugin-key-auth'),
      '@gw/model-catalogue': src('model-catalogue'),
      '@gw/rate-limits': src('rate-limits'),
      '@gw/plugin-rate-limiting': src('plugin-rate-limiting'),
      '@gw/plugin-ai-rate-limiting-advanced': src('plugin-ai-rate-limiting-advanced'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // @gw/core (from src too) reads its package's copy of schemas/: bring it up to date first.
    globalSetup: ['packages/core/scripts/copy-schemas.mjs'],
    // Tests talk only to 127.0.0.1: never to the EC2 metadata address, the credential chain's last resort.
    // Nor do they see the developer's ~/.aws or AWS_PROFILE: tests that want shared files write temp ones.
    env: {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/gw-tests/.aws/credentials',
      AWS_CONFIG_FILE: '/nonexistent/gw-tests/.aws/config',
      AWS_PROFILE: '',
    },
  },
});
