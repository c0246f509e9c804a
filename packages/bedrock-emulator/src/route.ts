// Bedrock Runtime routes. The model id is one path segment: split first, then decode (ARNs hold `%2F`).

export type Operation = 'invoke' | 'invoke-stream' | 'count-tokens' | 'converse' | 'converse-stream' | 'assume-role' | 'assume-role-with-web-identity' | 'get-role-credentials' | 'create-token' | 'other';

const OPERATIONS: Record<string, Operation> = {
  invoke: 'invoke',
  'invoke-with-response-stream': 'invoke-stream',
  'count-tokens': 'count-tokens',
  converse: 'converse',
  'converse-stream': 'converse-stream',
};

export function route(method: string, url: string): { operation: Operation; modelId: string; path: string } {
  const path = url.split('?')[0];
  const segments = path.split('/');
  const operation = segments.length === 4 && segments[0] === '' && segments[1] === 'model' ? OPERATIONS[segments[3]] : undefined;
  if (method !== 'POST' || !operation || !segments[2]) return { operation: 'other', modelId: '', path };
  let modelId: string;
  try {
    modelId = decodeURIComponent(segments[2]);
  } catch {
    return { operation: 'other', modelId: '', path };
  }
  return { operation, modelId, path };
}
