import type { PolicyStatement } from '../../scripts/local/synthesized-template';
import type { PolicyCheck } from './policy-check';

/** One thing a role allows: an action on a resource pattern, under one leading-key prefix for table writes. */
export interface Grant {
  fn: string;
  action: string;
  resource: string;
  prefix?: string;
}

export interface AllowedRequest {
  fn: string;
  action: string;
  resource: string;
  keys?: string[];
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** Every grant of every function's role, expanded to action × resource × key prefix. */
export function grantsOf(check: PolicyCheck): Grant[] {
  const grants: Grant[] = [];
  for (const fn of check.functionNames()) {
    for (const { policy } of check.identityPolicies(fn)) {
      for (const statement of policy.Statement as PolicyStatement[]) {
        if (statement.Effect !== 'Allow') continue;
        const prefixes = list(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined);
        for (const action of list(statement.Action)) {
          for (const resource of list(statement.Resource)) {
            if (prefixes.length === 0) grants.push({ fn, action, resource });
            for (const prefix of prefixes) grants.push({ fn, action, resource, prefix });
          }
        }
      }
    }
  }
  return grants;
}

export function exercises(request: AllowedRequest, grant: Grant): boolean {
  if (request.fn !== grant.fn || !glob(grant.action).test(request.action) || !glob(grant.resource).test(request.resource)) return false;
  if (!grant.prefix) return true;
  const prefix = glob(grant.prefix);
  return (request.keys ?? []).some((k) => prefix.test(k));
}

export const grantLabel = (g: Grant) => `${g.fn}: ${g.action} on ${g.resource}${g.prefix ? ` keys ${g.prefix}` : ''}`;
