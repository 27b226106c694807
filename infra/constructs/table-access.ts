import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IndexName } from '../../shared/store/table-definition';

export interface TableAccess {
  /** Indexes the function queries; the table itself is always readable. */
  indexes: readonly IndexName[];
  /**
   * Partition-key prefixes the function may write (`SELLER#`, `PHONE#`, `RECORD#lead#`…): a
   * `dynamodb:LeadingKeys` condition, so a function cannot write item kinds it does not own.
   * Empty: read only.
   */
  writes: readonly string[];
  /** False: no item access at all (a function that reads only the stream records it is given). */
  reads?: false;
  /** Also BatchWriteItem under the same prefixes (the notifier's unread pointers, 25 a request). */
  batchWrites?: boolean;
}

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
export const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** Least privilege: named item actions on the table and the named indexes; writes only under named key prefixes; no Scan, no wildcards. */
export function grantTable(table: ITable, grantee: IGrantable, access: TableAccess): void {
  if (access.reads === false) return;
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_READ_ACTIONS, resources: [table.tableArn] }));
  if (access.indexes.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: access.indexes.map((index) => `${table.tableArn}/index/${index}`) }),
    );
  }
  if (access.writes.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...TABLE_WRITE_ACTIONS, ...(access.batchWrites ? ['dynamodb:BatchWriteItem'] : [])],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': access.writes.map((prefix) => `${prefix}*`) } },
      }),
    );
  }
}
