/**
 * What a key may do: per resource, read or write. `write` includes `read`; `emails` can only be read.
 * A key's scopes are kept normalised (sorted, a `read` dropped when its `write` is there).
 */
export const scopeResources = [
  'user',
  'preferences',
  'notifications',
  'emails',
  'organizations',
  'projects',
  'pipelines',
  'builds',
  'deploys',
  'issues',
  'keys',
] as const;
export type ScopeResource = (typeof scopeResources)[number];
export type ScopeAccess = 'read' | 'write';
export type Scope = `${ScopeResource}:${ScopeAccess}`;

const readOnly = new Set<ScopeResource>(['emails']);

/** Every scope there is, in the order the page lists them. */
export const allScopes: readonly Scope[] = scopeResources.flatMap((resource) =>
  readOnly.has(resource) ? [`${resource}:read` as Scope] : [`${resource}:read` as Scope, `${resource}:write` as Scope],
);
const known = new Set<string>(allScopes);

export function isScope(value: string): value is Scope {
  return known.has(value);
}

/** Sorted, without duplicates, a `read` dropped when the same resource's `write` is there. */
export function normaliseScopes(scopes: readonly Scope[]): Scope[] {
  const set = new Set(scopes);
  return allScopes.filter((scope) => set.has(scope) && !(scope.endsWith(':read') && set.has(scope.replace(/:read$/, ':write') as Scope)));
}

/** Whether the granted scopes allow what `needed` names. */
export function allows(granted: readonly string[], needed: Scope): boolean {
  if (granted.includes(needed)) return true;
  return needed.endsWith(':read') && granted.includes(needed.replace(/:read$/, ':write'));
}

/** The first of `requested` that `granted` does not allow, or null when all are within. */
export function firstBeyond(requested: readonly Scope[], granted: readonly string[]): Scope | null {
  return requested.find((scope) => !allows(granted, scope)) ?? null;
}

export function scopesToText(scopes: readonly Scope[]): string {
  return normaliseScopes(scopes).join(' ');
}

// Read on every API call from a handful of distinct texts, so each is worked out once.
const parsedTexts = new Map<string, readonly Scope[]>();

export function scopesFromText(text: string): Scope[] {
  let scopes = parsedTexts.get(text);
  if (!scopes) {
    if (parsedTexts.size >= 1000) parsedTexts.clear();
    scopes = normaliseScopes(text.split(' ').filter(isScope));
    parsedTexts.set(text, scopes);
  }
  return scopes.slice();
}
