/** A small text request for credential endpoints (STS, container agents): bounded reply, timeout, errors by cause. */
import http from 'node:http';
import https from 'node:https';

export interface TextRequest {
  url: URL;
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** What the endpoint is, for messages: `STS`, `container credentials endpoint`. */
  what: string;
  /** The error to reject with, given a detail that never quotes request or reply contents. */
  fail(detail: string): Error;
}

const MAX_REPLY = 64 * 1024;

export function requestText(r: TextRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const client = r.url.protocol === 'https:' ? https : http;
    const req = client.request(r.url, { method: r.method, headers: r.headers, timeout: r.timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_REPLY) text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', () => reject(r.fail(`${r.what} connection lost`)));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => reject(r.fail(`${r.what} unreachable (${(error as NodeJS.ErrnoException).code ?? error.message})`)));
    req.end(r.body);
  });
}
