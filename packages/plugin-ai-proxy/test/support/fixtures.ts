import { readdirSync } from 'node:fs';
import { FIXTURES, fixtureJson } from '../../../../test/fixtures.js';

/** The recorded captures shared across packages: test/fixtures/ at the repository root. */
export { FIXTURES };

export function readFixture<T = unknown>(relative: string): T {
  return fixtureJson<T>(relative);
}

export function listFixtures(folder: string, suffix: string): string[] {
  return readdirSync(new URL(folder, FIXTURES)).filter((name) => name.endsWith(suffix)).map((name) => `${folder}${name}`);
}

export interface CapturedRequest {
  seq: number;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
  body?: Record<string, unknown>;
  bodyTruncated?: Record<string, unknown>;
}

export interface Capture {
  claudeCodeVersion: string;
  requests: CapturedRequest[];
}
