/**
 * The upstream's response on the raw Node response: piped as is or through the plugins' body transforms
 * with the head sent lazily with the first chunk.
 */
import { GatewayError, type Logger, type ResponseHead } from '@gw/plugin-api';
import { appendListHeader, passThroughHeaders, withoutHopByHop } from '../proxy/headers.js';
import { toGatewayError } from '../proxy/forward.js';
import { UpstreamFailure, type SentRequest } from '../proxy/send.js';
import { now, type Exchange } from '../runtime/exchange.js';
import { describe } from '../runtime/plan.js';
import { collectBodyTransforms, phasesOf, runResponseHeaders } from '../runtime/phases.js';
import { transformedBody } from './body-stream.js';
import { driveTransformers, isTransformStream, type BodyTransform, type BodyTransformer } from './direct-body.js';
import { upstreamKongHeaders } from './kong-headers.js';
import { drained, sendError, writeHead } from './respond.js';
import { breakResponse, breakResponseAfterWrites } from './response-cut.js';
import { VIA } from './version.js';

/**
 * The upstream answered: response phases, then the body piped or transformed. Synchronous (undefined)
 * when the body is piped; the promise of the transformed body otherwise. Never throws a plugin's error:
 * it becomes gw's error response.
 */
export function sendUpstream(ex: Exchange, sent: SentRequest, logger: Logger): Promise<void> | undefined {
  const up = sent.response;
  ex.source = 'upstream';
  ex.upstreamStatus = up.statusCode;
  ex.timing.upstreamFirstByte = now();
  const phases = phasesOf(ex.plugins);
  if (phases.log.length > 0) up.once('end', () => (ex.timing.upstreamEnd = now()));
  if (!phases.responseHeaders && !phases.responseBody && phases.log.length === 0) {
    // Nobody reads the head as a map: pass the upstream's raw lines through with Kong's added.
    const list = passThroughHeaders(up.rawHeaders, ex.headerPolicy.via ? VIA : undefined, ex.headerPolicy.requestId ? ex.id : undefined);
    ex.status = up.statusCode ?? 502;
    upstreamKongHeaders(ex, ex.status, list);
    if (!ex.res.destroyed && !ex.res.headersSent) ex.res.writeHead(ex.status, list);
    pipeThrough(ex, sent);
    return;
  }
  const headers = withoutHopByHop(up.headers);
  if (ex.headerPolicy.via) appendListHeader(headers, 'via', VIA);
  const added = upstreamKongHeaders(ex, up.statusCode ?? 502, []);
  for (let i = 0; i < added.length; i += 2) headers[added[i]] = added[i + 1];
  // The upstream's own request-id (Anthropic's) is kept: it is what its support can look up.
  if (ex.headerPolicy.requestId && headers['request-id'] === undefined) headers['request-id'] = ex.id;
  if (ex.headerPolicy.requestId && ex.errorFormat === 'openai' && headers['x-request-id'] === undefined) headers['x-request-id'] = ex.id;
  const head: ResponseHead = { status: up.statusCode ?? 502, headers, source: 'upstream' };

  let transforms: BodyTransform[] = [];
  try {
    if (phases.responseHeaders) runResponseHeaders(ex, head, logger);
    if (phases.responseBody) transforms = collectBodyTransforms(ex, head, logger);
  } catch (err) {
    up.destroy();
    sendError(ex, err as GatewayError);
    return;
  }

  if (transforms.length === 0) {
    writeHead(ex, head.status, head.headers);
    pipeThrough(ex, sent);
    return;
  }
  // The upstream length no longer describes a transformed body; a transform may set its own before its first chunk.
  delete head.headers['content-length'];
  if (!transforms.some(isTransformStream)) return sendDirect(ex, sent, head, transforms as BodyTransformer[], logger);
  return sendTransformed(ex, sent, head, transforms, logger);
}

/**
 * Node-to-Node pipe (no web streams, no per-request AbortController as stream/promises' pipeline makes).
 * A broken upstream truncates the client response by closing the connection; a gone client is handled by
 * the request's abort hook, which destroys the upstream request. Nothing to wait for here: the pipeline
 * already waits for the response to finish or close.
 */
function pipeThrough(ex: Exchange, sent: SentRequest): void {
  const { res } = ex;
  const up = sent.response;
  const broken = () => {
    up.unpipe(res);
    if (!res.writableFinished) breakResponse(ex, 'upstream', 'closed', sent);
  };
  up.on('error', broken);
  up.on('close', () => {
    if (!up.readableEnded) broken();
  });
  up.pipe(res);
}

/** Only Transformers: driven on the upstream's chunks with no web stream (see direct-body.ts). */
async function sendDirect(ex: Exchange, sent: SentRequest, head: ResponseHead, transformers: BodyTransformer[], logger: Logger): Promise<void> {
  const { res } = ex;
  let headSent = false;
  const commit = () => {
    if (headSent) return;
    headSent = true;
    writeHead(ex, head.status, head.headers);
  };
  try {
    await driveTransformers(sent.response, transformers, res, commit);
    commit();
    res.end();
  } catch (err) {
    bodyFailed(ex, sent, headSent, err, logger);
  }
}

/** At least one TransformStream: every Transformer wrapped in one, all composed as Web streams. */
async function sendTransformed(ex: Exchange, sent: SentRequest, head: ResponseHead, list: BodyTransform[], logger: Logger): Promise<void> {
  const { res } = ex;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let headSent = false;
  // One upstream chunk usually becomes several transformed chunks, read in the same microtask run:
  // the socket stays corked until the next tick so they leave in one write, not one syscall each.
  let corked = false;
  const flush = () => {
    if (!corked) return;
    corked = false;
    res.uncork();
  };
  try {
    const transforms = list.map((t) => (isTransformStream(t) ? t : new TransformStream(t)));
    reader = transformedBody(sent.response, transforms as [TransformStream<Uint8Array, Uint8Array>]).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!headSent) {
        writeHead(ex, head.status, head.headers);
        headSent = true;
      }
      if (res.destroyed) throw new Error('client gone');
      if (value.byteLength === 0) continue;
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(flush);
      }
      if (!res.write(value)) {
        flush();
        await drained(res);
      }
    }
    flush();
    if (!headSent) writeHead(ex, head.status, head.headers);
    res.end();
  } catch (err) {
    flush();
    void reader?.cancel().catch(() => {});
    bodyFailed(ex, sent, headSent, err, logger);
  }
}

/** The transformed body failed: stop the upstream; gw's error response before the head, a broken connection after. */
function bodyFailed(ex: Exchange, sent: SentRequest, headSent: boolean, err: unknown, logger: Logger): void {
  sent.response.destroy();
  if (ex.clientAborted || ex.res.destroyed) return;
  if (headSent || ex.res.headersSent) {
    if (upstreamFault(err, sent)) breakResponse(ex, 'upstream', 'closed', sent);
    // A plugin failing the body with gw's own error meant to (after its last event): the cut is that error.
    else if (GatewayError.is(err)) breakResponseAfterWrites(ex, 'gateway', 'error');
    else breakResponse(ex, 'gateway', 'plugin-failed');
    return;
  }
  sendError(ex, bodyError(ex, err, sent, logger));
}

/** The body failed because the upstream did (reset, closed early, timed out), not a plugin. */
function upstreamFault(err: unknown, sent: SentRequest): boolean {
  if (sent.lateFailure !== undefined || err instanceof UpstreamFailure) return true;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function bodyError(ex: Exchange, err: unknown, sent: SentRequest, logger: Logger): GatewayError {
  if (GatewayError.is(err)) return err;
  const late = sent.lateFailure ?? (err instanceof UpstreamFailure ? err : undefined);
  if (late !== undefined) return toGatewayError(late);
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return new GatewayError('GW_ERR_UPSTREAM_UNAVAILABLE');
  logger.error(`request ${ex.id}: response body transform failed: ${describe(err)}`);
  return new GatewayError('GW_ERR_PLUGIN_FAILED');
}
