import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IndexName } from '../../shared/store/table-definition';

/** `Scan`: the migrations function only (it visits every item of a kind once per migration). */
export type TableReadAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'ConditionCheckItem' | 'Scan';
export type TableWriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

export interface TableAccess {
  /** Item reads on the table itself (a transaction's condition check is `ConditionCheckItem`). */
  reads: readonly TableReadAction[];
  /** Indexes the function queries. */
  indexes: readonly IndexName[];
  /**
   * The write actions allowed under each partition-key prefix (`SELLER#`, `PHONE#`, `RECORD#lead#`…), each
   * through a `dynamodb:LeadingKeys` condition: a function writes only the item kinds it owns, and only
   * in the ways its code does (the IAM check fails a test whose call a list leaves out).
   */
  writes: Readonly<Record<string, readonly TableWriteAction[]>>;
}

/** The union of two functions' access: a function that runs both flows. */
export function unionOf(a: TableAccess, b: TableAccess): TableAccess {
  const writes: Record<string, TableWriteAction[]> = {};
  for (const [prefix, actions] of [...Object.entries(a.writes), ...Object.entries(b.writes)]) writes[prefix] = [...new Set([...(writes[prefix] ?? []), ...actions])];
  return { reads: [...new Set([...a.reads, ...b.reads])], indexes: [...new Set([...a.indexes, ...b.indexes])], writes };
}

/** Least privilege: the named item actions on the table and indexes; writes by prefix and action; no wildcards (Scan only where named). */
export function grantTable(table: ITable, grantee: IGrantable, access: TableAccess): void {
  const principal = grantee.grantPrincipal;
  if (access.reads.length > 0) principal.addToPrincipalPolicy(new PolicyStatement({ actions: access.reads.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
  if (access.indexes.length > 0) {
    principal.addToPrincipalPolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: access.indexes.map((index) => `${table.tableArn}/index/${index}`) }));
  }
  // One statement per distinct action list, naming every prefix that list applies to.
  const byActions = new Map<string, string[]>();
  for (const [prefix, actions] of Object.entries(access.writes)) {
    if (actions.length === 0) continue;
    const key = [...actions].sort().join(',');
    byActions.set(key, [...(byActions.get(key) ?? []), prefix]);
  }
  for (const [actions, prefixes] of byActions) {
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: actions.split(',').map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) } },
      }),
    );
  }
}
