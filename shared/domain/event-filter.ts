/**
 * Lambda event filtering, as AWS documents it for event source mappings (the same patterns as
 * EventBridge): a filter matches when every key of its pattern matches; a leaf pattern is a list of
 * matchers, any of which may match; a list in the event matches when any element does; filters of one
 * mapping are ORed. `exists` looks at leaf nodes only: on a map or a list of maps it matches nothing,
 * which is why a pattern on `media.L` in DynamoDB JSON never fires in AWS.
 */
export type FilterPattern = { [key: string]: FilterPattern | readonly Matcher[] };
export type Matcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { exists: boolean }
  | { 'anything-but': unknown }
  | { numeric: readonly (string | number)[] }
  | { 'equals-ignore-case': string };

type Leaf = string | number | boolean | null;
const isLeaf = (v: unknown): v is Leaf => v === null || ['string', 'number', 'boolean'].includes(typeof v);

export function matchesAnyFilter(patterns: readonly FilterPattern[], event: unknown): boolean {
  return patterns.some((pattern) => matchesFilter(pattern, event));
}

export function matchesFilter(pattern: FilterPattern, event: unknown): boolean {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return false;
  return Object.entries(pattern).every(([key, sub]) => {
    const present = Object.hasOwn(event, key);
    const value = (event as Record<string, unknown>)[key];
    if (Array.isArray(sub)) return matchesLeafPattern(sub as readonly Matcher[], present, value);
    // An absent map matches only a pattern that asks for its leaves not to exist.
    if (!present) return matchesFilter(sub as FilterPattern, {});
    // A nested pattern against a list of maps matches when one of them matches.
    if (Array.isArray(value)) return value.some((element) => matchesFilter(sub as FilterPattern, element));
    return matchesFilter(sub as FilterPattern, value);
  });
}

function matchesLeafPattern(matchers: readonly Matcher[], present: boolean, value: unknown): boolean {
  if (!present) return matchers.some((m) => typeof m === 'object' && m !== null && 'exists' in m && m.exists === false);
  const values = Array.isArray(value) ? value : [value];
  // Maps and lists of maps are not leaves: no matcher, `exists` included, applies to them.
  const leaves = values.filter(isLeaf);
  if (leaves.length === 0) return false;
  return matchers.some((m) => leaves.some((v) => matchesLeaf(m, v)));
}

function matchesLeaf(matcher: Matcher, value: Leaf): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === value;
  if ('exists' in matcher) return matcher.exists === true;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(matcher.suffix);
  if ('equals-ignore-case' in matcher) return typeof value === 'string' && value.toLowerCase() === matcher['equals-ignore-case'].toLowerCase();
  if ('anything-but' in matcher) {
    const excluded = matcher['anything-but'];
    if (excluded !== null && typeof excluded === 'object' && !Array.isArray(excluded) && 'prefix' in excluded) return typeof value === 'string' && !value.startsWith(String((excluded as { prefix: string }).prefix));
    return !(Array.isArray(excluded) ? excluded : [excluded]).includes(value);
  }
  if ('numeric' in matcher) return typeof value === 'number' && numericMatches(matcher.numeric, value);
  return false;
}

function numericMatches(conditions: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const bound = Number(conditions[i + 1]);
    const ok = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[String(conditions[i]) as '='];
    if (!ok) return false;
  }
  return true;
}
