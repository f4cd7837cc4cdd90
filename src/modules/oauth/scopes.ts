/** Every OAuth scope the Pinterest v5 API defines. */
export const ALL_SCOPES = [
  'ads:read',
  'ads:write',
  'billing:read',
  'billing:write',
  'biz_access:read',
  'biz_access:write',
  'boards:read',
  'boards:read_secret',
  'boards:write',
  'boards:write_secret',
  'catalogs:read',
  'catalogs:write',
  // Corkboard's own: the experiments API (/v5/experiments), for the instance's operators only.
  'experiments:read',
  'experiments:write',
  'pins:read',
  'pins:read_secret',
  'pins:write',
  'pins:write_secret',
  'user_accounts:read',
  'user_accounts:write',
] as const;

const KNOWN = new Set<string>(ALL_SCOPES);

/** Splits a space- or comma-separated scope string; undefined if any scope is unknown or none is given. */
export function parseScopes(raw: string): string[] | undefined {
  const scopes = [...new Set(raw.split(/[\s,]+/).filter(Boolean))];
  if (scopes.length === 0 || scopes.some((s) => !KNOWN.has(s))) return undefined;
  return scopes.sort();
}

/** What a scope lets an app do, for the consent page. */
export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  'ads:read': 'see your ad accounts and their ads, and search suggestions and related terms',
  'experiments:read': 'see the A/B experiments and feature flags of this instance (operators only)',
  'experiments:write': 'define, start and stop A/B experiments and feature flags (operators only)',
  'boards:read': 'see your public boards and their sections',
  'boards:read_secret': 'see your secret boards',
  'boards:write': 'create, update and delete your public boards',
  'boards:write_secret': 'create, update and delete your secret boards',
  'pins:read': 'see your public Pins',
  'pins:read_secret': 'see your secret Pins',
  'pins:write': 'create, update and delete your public Pins',
  'pins:write_secret': 'create, update and delete your secret Pins',
  'user_accounts:read': 'see your account, followers and who you follow',
  'user_accounts:write': 'follow and unfollow on your behalf',
};
