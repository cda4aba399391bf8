/**
 * JSON with object keys sorted at every level and no whitespace (RFC 8785 for the values the exchange hashes:
 * strings, booleans, integers, arrays, objects). Used wherever bytes are hashed and signed: agreement content
 * hashes, audit log leaves.
 */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};
