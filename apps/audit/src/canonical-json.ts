/**
 * JSON with object keys sorted at every depth and no whitespace, so equal values always give the
 * same bytes. Properties holding `undefined` are left out, as JSON.stringify does; anything JSON
 * cannot represent faithfully (non-finite numbers, bigints, functions, symbols) is refused rather
 * than silently changed, because a hash over a lossy encoding would not detect the loss.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot encode ${value}`);
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value);
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      break;
  }
  throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
}

function canonicalArray(items: unknown[]): string {
  return `[${items.map((item) => canonicalJson(item ?? null)).join(',')}]`;
}

function canonicalObject(object: object): string {
  if (object instanceof Date) return JSON.stringify(object.toISOString());
  const entries = Object.entries(object)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
