/**
 * A third-party plugin's own error code (defineErrorCodes) through the real gateway: its status and
 * message reach the client in the route's format, its headers with it, and the catalogue lists it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineErrorCodes, definePlugin, errorCatalogue, GatewayError } from '@gw/plugin-api';
import { startGateway, type RunningGateway } from './support/gateway.js';

const ERRORS = defineErrorCodes('spend-alarm', {
  SPEND_ALARM_OVER_BUDGET: { status: 402, message: 'over the budget of {budget} USD' },
});

const spendAlarm = definePlugin<{ budget: number; format?: 'anthropic' }>({
  name: 'spend-alarm',
  version: '1.0.0',
  priority: 900,
  configSchema: { type: 'object', required: ['budget'], properties: { budget: { type: 'number' }, format: { enum: ['anthropic'] } } },
  access({ ctx, config }) {
    if (config.format) ctx.setErrorFormat(config.format);
    throw new GatewayError(ERRORS.SPEND_ALARM_OVER_BUDGET, { params: { budget: config.budget }, headers: { 'x-budget': String(config.budget) } });
  },
});

describe("a plugin's own error code (real gateway)", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(
      `_format_version: "3.0"
services:
  - name: s
    url: http://127.0.0.1:9
    routes:
      - {name: plain, paths: [/plain], plugins: [{name: spend-alarm, config: {budget: 5}}]}
      - {name: claude, paths: [/claude], plugins: [{name: spend-alarm, config: {budget: 7, format: anthropic}}]}
`,
      { plugins: [spendAlarm] },
    );
  });
  afterAll(async () => gw?.close());

  it("renders in Kong's format on a plain route, with the plugin's status and headers", async () => {
    const res = await fetch(`${gw.url}/plain`);
    expect(res.status).toBe(402);
    expect(res.headers.get('x-budget')).toBe('5');
    expect(await res.json()).toEqual({ message: 'over the budget of 5 USD' });
  });
  it("renders in Anthropic's format where the request speaks it", async () => {
    const res = await fetch(`${gw.url}/claude`);
    expect(res.status).toBe(402);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'over the budget of 7 USD' } });
  });
  it('is in the catalogue with its owner', () => {
    expect(errorCatalogue().find((r) => r.code === 'SPEND_ALARM_OVER_BUDGET')).toMatchObject({ owner: 'spend-alarm', status: 402 });
  });
});
