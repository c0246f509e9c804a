import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../../../src/backends/bedrock/eventstream/base64.js';
import { chunkEventJson } from '../../../../src/backends/bedrock/eventstream/chunk.js';
import { prng } from '../../../support/response-harness.js';

const viaNode = (text: string) => Buffer.from(text, 'base64');
const viaOurs = (text: string) => decodeBase64(Buffer.from(`"${text}"`, 'latin1'), 1, text.length + 1);

describe('base64 from payload bytes', () => {
  it('decodes exactly like Node for every length and random content', () => {
    const random = prng(7);
    for (let length = 0; length < 300; length++) {
      const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      const text = bytes.toString('base64');
      expect(viaOurs(text).equals(bytes)).toBe(true);
    }
  });
  it('hands anything non-canonical to Node (same lenient result)', () => {
    for (const text of ['', '=', 'QQ', 'QQ=', 'Q===', 'QUJD RA==', 'QU*D', '-_8=', 'QUJDRA==QQ==', 'QUJD\nRA==']) {
      expect(viaOurs(text).equals(viaNode(text)), text).toBe(true);
    }
  });
});

describe('chunk payload → event JSON bytes', () => {
  const chunk = (json: string, tail = '') => Buffer.from(`{"bytes":"${Buffer.from(json).toString('base64')}"${tail}}`);
  it('reads `bytes` by prefix, with or without padding after it, and by parsing otherwise', () => {
    const json = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"é 😀"}}';
    expect(chunkEventJson(chunk(json))!.toString()).toBe(json);
    expect(chunkEventJson(chunk(json, ',"p":"abcdefgh"'))!.toString()).toBe(json);
    const reordered = Buffer.from(JSON.stringify({ p: 'x', bytes: Buffer.from(json).toString('base64') }));
    expect(chunkEventJson(reordered)!.toString()).toBe(json);
    expect(chunkEventJson(Buffer.from('{"p":"x"}'))).toBeUndefined();
    expect(chunkEventJson(Buffer.from('not json'))).toBeUndefined();
  });
  it('re-serialises multi-line JSON so SSE data stays one line', () => {
    expect(chunkEventJson(chunk('{\n  "type": "ping"\n}'))!.toString()).toBe('{"type":"ping"}');
    expect(chunkEventJson(chunk('{\n "type": '))).toBeUndefined();
  });
});
