/**
 * Route `request_buffering` / `response_buffering`. gw streams both ways: a request body goes to the
 * upstream as it arrives (a chunked one stays chunked) and a response reaches the client as it arrives,
 * which is Kong with both set to `false`. `false` is therefore honoured; `true`, Kong's default, is not,
 * and a file that writes `true` (every route of a `deck dump` does) gets one warning per field.
 * Read before `_info.defaults` and schema defaults are filled in: only what the file says counts.
 */
import { isRecord } from './collect.js';
import type { Origin, Report } from './collect.js';

const FIELDS = ['request_buffering', 'response_buffering'] as const;
type Field = (typeof FIELDS)[number];

const WHY: Record<Field, string> = {
  request_buffering: 'gw sends a request body to the upstream as it arrives unless a plugin reads it (a chunked body stays chunked), as Kong does with request_buffering: false',
  response_buffering: 'gw sends a response to the client as it arrives, as Kong does with response_buffering: false',
};

/** Where the file writes `true` for a field (routes and `_info.defaults.route`), in file order. */
export function writtenBuffering(docs: readonly (Record<string, unknown> | undefined)[]): Map<Field, Origin[]> {
  const out = new Map<Field, Origin[]>(FIELDS.map((f) => [f, []]));
  const note = (r: unknown, origin: Origin) => {
    if (isRecord(r)) for (const f of FIELDS) if (r[f] === true) out.get(f)!.push(origin);
  };
  docs.forEach((doc, fileIndex) => {
    if (!doc) return;
    const info = doc._info;
    if (isRecord(info) && isRecord(info.defaults)) note(info.defaults.route, { fileIndex, path: ['_info', 'defaults', 'route'] });
    if (Array.isArray(doc.services)) {
      doc.services.forEach((s, i) => {
        if (isRecord(s) && Array.isArray(s.routes)) s.routes.forEach((r, j) => note(r, { fileIndex, path: ['services', i, 'routes', j] }));
      });
    }
    if (Array.isArray(doc.routes)) doc.routes.forEach((r, j) => note(r, { fileIndex, path: ['routes', j] }));
  });
  return out;
}

/** One warning per field, at the first place that writes it, counting the others. */
export function warnBuffering(written: Map<Field, Origin[]>, warn: Report): void {
  for (const f of FIELDS) {
    const hits = written.get(f)!;
    if (hits.length === 0) continue;
    const others = hits.length > 1 ? ` (and in ${hits.length - 1} more place${hits.length > 2 ? 's' : ''})` : '';
    warn(hits[0], [f], `true${others} is not honoured: ${WHY[f]}`);
  }
}
