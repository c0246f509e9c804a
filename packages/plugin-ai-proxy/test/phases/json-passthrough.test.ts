import { describe, expect, it } from 'vitest';
import { jsonPassthrough } from '../../src/phases/json-passthrough.js';
import { fakeCtx, head, makeExchange, run } from '../support/response-harness.js';

const enc = new TextEncoder();

describe('a JSON answer passed through', () => {
  it('keeps the bytes and the upstream length (core drops it from a transformed body), and reads the whole answer once with its status', async () => {
    const body = JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-4o', choices: [] });
    const response = head(201, { 'content-type': 'application/json', 'content-length': String(body.length) });
    const reads: Array<[Record<string, unknown>, number]> = [];
    const transformer = jsonPassthrough(fakeCtx(), response, makeExchange({ mode: 'oneshot' }), (_exchange, json, status) => reads.push([json, status]));
    delete response.headers['content-length'];
    const bytes = enc.encode(body);
    expect(await run(transformer, [bytes.subarray(0, 9), bytes.subarray(9)])).toBe(body);
    expect(response.headers['content-length']).toBe(String(body.length));
    expect(reads).toEqual([[JSON.parse(body), 201]]);
  });

  it('sends a chunked answer as it came, and leaves a body that is no JSON object unread', async () => {
    for (const body of ['[1,2]', 'not json', 'null']) {
      const response = head(200, { 'content-type': 'application/json' });
      let read = false;
      const out = await run(jsonPassthrough(fakeCtx(), response, makeExchange({ mode: 'oneshot' }), () => (read = true)), [enc.encode(body)]);
      expect(out).toBe(body);
      expect(response.headers['content-length']).toBeUndefined();
      expect(read).toBe(false);
    }
  });
});
