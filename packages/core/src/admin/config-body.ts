/**
 * The body forms Kong's DB-less `POST /config` takes (kong/api/routes/config.lua):
 *   - a form field `config` (multipart, `curl -F config=@kong.yml`, or urlencoded) holding YAML or JSON;
 *   - a JSON body that is the config itself (it has `_format_version`);
 *   - a JSON body `{"config": "<YAML or JSON text>"}`;
 *   - any other body (application/yaml, text/plain, none) is the config's text.
 * `check_hash` and `flatten_errors` come from the query string or the form / JSON body, as Kong's params do.
 */

export interface ConfigRequest {
  /** The config as text: YAML or JSON (JSON is YAML). */
  text: string;
  /** Kong: `check_hash=1` (exactly "1"): answer 304 when the config's hash is the running one's. */
  checkHash: boolean;
  /** Kong's truthy(): true, 1, on, yes (any case). */
  flattenErrors: boolean;
}

/** Kong's nginx_admin_client_max_body_size default (10m). */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

const truthy = (v: unknown) => v === true || v === 1 || (typeof v === 'string' && ['true', '1', 'on', 'yes'].includes(v.toLowerCase()));

export type ParsedConfigRequest = { ok: true; request: ConfigRequest } | { ok: false; status: 400 | 413; message: string };

export async function readConfigRequest(request: Request): Promise<ParsedConfigRequest> {
  const url = new URL(request.url);
  const params = new Map<string, unknown>(url.searchParams);
  const length = Number(request.headers.get('content-length') ?? '0');
  if (length > MAX_CONFIG_BYTES) return { ok: false, status: 413, message: 'Request size limit exceeded' };
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  let text: string | undefined;

  if (type === 'multipart/form-data' || type === 'application/x-www-form-urlencoded') {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return { ok: false, status: 400, message: 'malformed form body' };
    }
    form.forEach((v, k) => {
      if (k !== 'config' && typeof v === 'string') params.set(k, v);
    });
    const config = form.get('config');
    if (config !== null) text = typeof config === 'string' ? config : await config.text();
  } else {
    const body = await request.text();
    if (Buffer.byteLength(body) > MAX_CONFIG_BYTES) return { ok: false, status: 413, message: 'Request size limit exceeded' };
    text = body;
    if (type === 'application/json' && body.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return { ok: false, status: 400, message: 'Cannot parse JSON body' };
      }
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const fields = parsed as Record<string, unknown>;
        const options = ['check_hash', 'flatten_errors'].filter((k) => k in fields);
        for (const k of options) params.set(k, fields[k]);
        if (fields._format_version === undefined && typeof fields.config === 'string') text = fields.config;
        else if (options.length > 0) {
          // The options are request parameters, not part of the config.
          for (const k of options) delete fields[k];
          text = JSON.stringify(fields, null, 2);
        }
      }
    }
  }
  if (text === undefined || text.trim() === '') return { ok: false, status: 400, message: 'expected a declarative configuration' };
  return {
    ok: true,
    // Kong's check_hash predates truthy(): only "1" counts (tostring(params.check_hash) == "1").
    request: { text, checkHash: String(params.get('check_hash')) === '1', flattenErrors: truthy(params.get('flatten_errors')) },
  };
}
