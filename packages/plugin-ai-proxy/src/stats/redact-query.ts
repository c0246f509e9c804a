/**
 * `auth.param_location: query` puts the provider key in the upstream query, and core logs the upstream
 * URI as sent: replace that parameter's value before any log plugin (all run after ai-proxy's 770) sees it.
 */
export function redactQueryParam(uri: string, name: string): string {
  const at = uri.indexOf('?');
  if (at < 0) return uri;
  const pairs = uri.slice(at + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    return safeDecode(key) === name ? `${key}=REDACTED` : pair;
  });
  return `${uri.slice(0, at)}?${pairs.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
