/** `gw models`, run as the built binary: the catalogue as a table or JSON, for the region the user has. */
import { describe, expect, it } from 'vitest';
import { defaultCatalogue } from '@gw/model-catalogue';
import { runGw } from './support/gw-process.js';

/** The table row of one model, split on the column gaps. */
function row(stdout: string, id: string): string[] {
  const line = stdout.split('\n').find((l) => l.startsWith(`${id} `));
  if (!line) throw new Error(`no row for ${id} in:\n${stdout}`);
  return line.split(/ {3,}/);
}

describe('gw models', () => {
  it('prints the table for us-east-1 by default and says where the region came from', async () => {
    const result = await runGw(['models']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`gw model catalogue, checked ${defaultCatalogue().checked}; sources: gw models --json`);
    expect(lines[1]).toMatch(/^region us-east-1 \(default; set --region or AWS_REGION\), global profile: never; Bedrock on-demand prices/);
    expect(lines[3].split(/ {3,}/)).toEqual(['MODEL', 'ALIASES', 'BEDROCK ID', 'INPUT', 'OUTPUT', 'CACHE W 5M', 'CACHE W 1H', 'CACHE READ']);
    expect(row(result.stdout, 'claude-sonnet-4-5-20250929')).toEqual([
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-5',
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      '$3.30 †',
      '$16.50 †',
      '$4.125',
      '$6.60',
      '$0.33',
    ]);
    // Bedrock's 1-hour cache price is unconfirmed for Opus 4.1: shown as "-", never as a number.
    expect(row(result.stdout, 'claude-opus-4-1-20250805')).toEqual([
      'claude-opus-4-1-20250805',
      'claude-opus-4-1',
      'us.anthropic.claude-opus-4-1-20250805-v1:0',
      '$15.00',
      '$75.00',
      '$18.75',
      '-',
      '$1.50',
    ]);
    expect(result.stdout).toContain('claude-sonnet-4-5-20250929: above 200,000: input $6.60, output $24.75');
    expect(lines.filter((l) => l.startsWith('claude-'))).toHaveLength(defaultCatalogue().models.length);
  });

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION, and --region over both', async () => {
    const fromEnv = await runGw(['models'], { env: { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' } });
    expect(fromEnv.stdout.split('\n')[1]).toMatch(/^region eu-west-1 \(AWS_REGION\)/);
    expect(row(fromEnv.stdout, 'claude-haiku-4-5-20251001')[2]).toBe('eu.anthropic.claude-haiku-4-5-20251001-v1:0');

    const fromDefault = await runGw(['models'], { env: { AWS_DEFAULT_REGION: 'us-west-2' } });
    expect(fromDefault.stdout.split('\n')[1]).toMatch(/^region us-west-2 \(AWS_DEFAULT_REGION\)/);

    const fromFlag = await runGw(['models', '--region', 'ap-northeast-1'], { env: { AWS_REGION: 'eu-west-1' } });
    expect(fromFlag.stdout.split('\n')[1]).toMatch(/^region ap-northeast-1 \(--region\)/);
    expect(row(fromFlag.stdout, 'claude-sonnet-4-5-20250929')[2]).toBe('jp.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(row(fromFlag.stdout, 'claude-sonnet-4-20250514')[2]).toBe('apac.anthropic.claude-sonnet-4-20250514-v1:0');
    // Claude 3.5 Haiku has only a us. profile: from Tokyo it is called in-region.
    expect(row(fromFlag.stdout, 'claude-3-5-haiku-20241022')[2]).toBe('anthropic.claude-3-5-haiku-20241022-v1:0');
  });

  it('--global prefer shows global ids at the global price; --prices anthropic shows the Claude API table', async () => {
    const global = await runGw(['models', '--global', 'prefer']);
    expect(row(global.stdout, 'claude-sonnet-4-5-20250929').slice(2, 5)).toEqual(['global.anthropic.claude-sonnet-4-5-20250929-v1:0', '$3.00 †', '$15.00 †']);
    const anthropic = await runGw(['models', '--prices', 'anthropic']);
    expect(anthropic.stdout.split('\n')[1]).toContain('Claude API prices');
    expect(row(anthropic.stdout, 'claude-haiku-4-5-20251001').slice(3)).toEqual(['$1.00', '$5.00', '$1.25', '$2.00', '$0.10']);
  });

  it('--json prints the catalogue with exactly the targets the package computes for the region', async () => {
    const result = await runGw(['models', '--json', '--region', 'ap-southeast-2', '--global', 'fallback']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      checked: string;
      region: string;
      regionFrom: string;
      global: string;
      sources: Record<string, { url: string }>;
      models: { id: string; bedrockTarget: unknown }[];
    };
    const catalogue = defaultCatalogue();
    expect(printed).toMatchObject({ checked: catalogue.checked, region: 'ap-southeast-2', regionFrom: '--region', global: 'fallback' });
    expect(Object.values(printed.sources).every((s) => s.url.startsWith('https://'))).toBe(true);
    expect(printed.models.map((m) => m.id)).toEqual(catalogue.models.map((m) => m.id));
    for (const model of printed.models) {
      const entry = catalogue.resolve(model.id)!;
      expect(model.bedrockTarget, model.id).toEqual(catalogue.bedrockTarget(entry, 'ap-southeast-2', { global: 'fallback' }) ?? null);
    }
    expect(printed.models.find((m) => m.id === 'claude-sonnet-4-5-20250929')!.bedrockTarget).toMatchObject({
      modelId: 'au.anthropic.claude-sonnet-4-5-20250929-v1:0',
      scope: 'geography',
      geography: 'au',
    });
  });

  it('refuses a malformed region and an unknown --global value', async () => {
    const region = await runGw(['models', '--region', 'Virginia']);
    expect(region.code).toBe(1);
    expect(region.stderr).toContain("option '--region <region>' argument 'Virginia' is invalid. region must look like us-east-1");
    const global = await runGw(['models', '--global', 'always']);
    expect(global.code).toBe(1);
    expect(global.stderr).toContain('Allowed choices are never, prefer, fallback');
  });
});
