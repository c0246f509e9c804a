/**
 * An OTLP/HTTP traces receiver on loopback that decodes what arrives as a collector does: the protobuf
 * ExportTraceServiceRequest, with the decoder protobufjs generated from the official opentelemetry-proto
 * definitions (shipped in @opentelemetry/otlp-transformer 0.57, installed as `otlp-transformer-protobuf`;
 * gw's exporter encodes with a newer, hand-written encoder, so the two are independent).
 *
 * Modes: `ok` answers 200 with an empty ExportTraceServiceResponse; `hang` reads the request and never
 * answers; `fail` answers 503. `stop()` closes it, so the port refuses connections (a collector that is down).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root: any = require('otlp-transformer-protobuf/build/src/generated/root.js');
const ExportTraceServiceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const ExportTraceServiceResponse = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

export type AttributeValue = string | number | boolean | AttributeValue[] | undefined;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttributeValue>;
  status: { code: number; message: string };
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly port: number;
  mode: 'ok' | 'hang' | 'fail';
  /** Every span decoded so far, in arrival order. */
  readonly spans: ReceivedSpan[];
  /** Export requests received (any mode), with their headers. */
  readonly requests: Array<{ headers: http.IncomingHttpHeaders; contentType: string | undefined }>;
  stop(): Promise<void>;
}

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('hex');

/** protobufjs leaves an unset field undefined or null, depending on how the message was made. */
const set = (x: unknown): boolean => x !== undefined && x !== null;

function value(v: any): AttributeValue {
  if (!set(v)) return undefined;
  if (set(v.stringValue)) return v.stringValue;
  if (set(v.boolValue)) return v.boolValue;
  if (set(v.intValue)) return Number(v.intValue);
  if (set(v.doubleValue)) return v.doubleValue;
  if (set(v.arrayValue)) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

const attributes = (list: any[] | undefined): Record<string, AttributeValue> => Object.fromEntries((list ?? []).map((a) => [a.key, value(a.value)]));

export async function startOtlpReceiver(mode: OtlpReceiver['mode'] = 'ok'): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ headers: req.headers, contentType: req.headers['content-type'] });
      if (receiver.mode === 'hang') return;
      if (receiver.mode === 'fail') {
        res.writeHead(503).end();
        return;
      }
      const decoded = ExportTraceServiceRequest.decode(Buffer.concat(chunks));
      for (const rs of decoded.resourceSpans ?? []) {
        const resource = attributes(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: hex(s.traceId),
              spanId: hex(s.spanId),
              parentSpanId: hex(s.parentSpanId),
              name: s.name,
              kind: s.kind,
              startNs: BigInt(String(s.startTimeUnixNano)),
              endNs: BigInt(String(s.endTimeUnixNano)),
              attributes: attributes(s.attributes),
              status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
                            events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attributes(e.attributes) })),
              resource,
              scope: ss.scope?.name ?? '',
            });
          }
        }
      }
      const body = ExportTraceServiceResponse.encode({}).finish();
      res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': body.length }).end(Buffer.from(body));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const receiver: OtlpReceiver = {
    url: `http://127.0.0.1:${port}/v1/traces`,
    port,
    mode,
    spans,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return receiver;
}
