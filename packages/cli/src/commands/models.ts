/**
 * `gw models`: the model catalogue as a table or JSON, with the Bedrock id each model gets from one
 * region. Thin on purpose: every answer comes from @gw/model-catalogue's functions.
 */
import { defaultCatalogue, type BedrockTarget, type GlobalPreference, type ModelEntry, type Price, type Prices } from '@gw/model-catalogue';
import { out } from '../output.js';

export interface ModelsOptions {
  region?: string;
  global: GlobalPreference;
  prices: 'bedrock' | 'anthropic';
  json?: boolean;
}

export const DEFAULT_REGION = 'us-east-1';

/** The region and where it came from: --region, then AWS_REGION, AWS_DEFAULT_REGION (Kong's order), else the default. */
export function regionOf(flag: string | undefined, env: NodeJS.ProcessEnv): { region: string; from: string } {
  if (flag) return { region: flag, from: '--region' };
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env[name];
    if (value) return { region: value, from: name };
  }
  return { region: DEFAULT_REGION, from: 'default; set --region or AWS_REGION' };
}

export async function runModels(opts: ModelsOptions): Promise<number> {
  const catalogue = defaultCatalogue();
  const { region, from } = regionOf(opts.region, process.env);
  const rows = catalogue.models.map((entry) => ({ entry, target: catalogue.bedrockTarget(entry, region, { global: opts.global }) }));

  if (opts.json) {
    const models = rows.map(({ entry, target }) => ({ ...entry, bedrockTarget: target ?? null }));
    const { checked, sources, geographies } = catalogue;
    out(JSON.stringify({ checked, region, regionFrom: from, global: opts.global, sources, geographies, models }, null, 2));
    return 0;
  }

  out(`gw model catalogue, checked ${catalogue.checked}; sources: gw models --json`);
  out(
    `region ${region} (${from}), global profile: ${opts.global}; ` +
      `${opts.prices === 'bedrock' ? 'Bedrock on-demand prices of the id shown' : 'Claude API prices'}, USD per million tokens`,
  );
  out('');
  const header = ['MODEL', 'ALIASES', 'BEDROCK ID', 'INPUT', 'OUTPUT', 'CACHE W 5M', 'CACHE W 1H', 'CACHE READ'];
  const tiers: string[] = [];
  const table = rows.map(({ entry, target }) => {
    const prices = opts.prices === 'bedrock' ? target?.prices : entry.anthropic.prices;
    if (prices?.above) tiers.push(`  ${entry.id}: ${describeTier(prices.above)}`);
    return [entry.id, entry.aliases.join(', '), bedrockColumn(entry, target), ...priceColumns(prices)];
  });
  for (const line of alignColumns([header, ...table], 3)) out(line);
  out('');
  out('* Bedrock id not confirmed by an AWS or Anthropic page (see the note in gw models --json)');
  out('- no Bedrock id in the catalogue, or no confirmed price');
  if (tiers.length > 0) {
    out('† a request whose prompt (input + cache reads + writes) exceeds the threshold pays these rates on every token:');
    for (const line of tiers) out(line);
  }
  return 0;
}

function bedrockColumn(entry: ModelEntry, target: BedrockTarget | undefined): string {
  if (!target) return '-';
  return `${target.modelId}${entry.bedrock?.verified === false ? ' *' : ''}`;
}

function priceColumns(prices: Prices | undefined): string[] {
  const mark = prices?.above ? ' †' : '';
  if (!prices) return ['-', '-', '-', '-', '-'];
  return [prices.input, prices.output, prices.cacheWrite5m, prices.cacheWrite1h, prices.cacheRead].map((p, i) => usd(p) + (i < 2 ? mark : ''));
}

function describeTier(above: NonNullable<Prices['above']>): string {
  return `above ${above.promptTokens.toLocaleString('en-US')}: input ${usd(above.input)}, output ${usd(above.output)}, cache write 5m ${usd(above.cacheWrite5m)}, 1h ${usd(above.cacheWrite1h)}, cache read ${usd(above.cacheRead)}`;
}

function usd(price: Price): string {
  if (price === null) return '-';
  // Enough digits for $0.011 and $4.125, no trailing zeros beyond cents.
  const text = price.toFixed(4).replace(/0{1,2}$/, '');
  return `$${text}`;
}

function alignColumns(rows: string[][], gap: number): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] + gap))).join('').trimEnd());
}
