import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { tableDefinition } from '../../shared/store/table-definition';

export type TableAccess = 'read' | 'readwrite';

const readActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** Least privilege: named item actions on the table and its named indexes; no Scan, no table admin, no wildcards. */
export function grantTable(table: ITable, grantee: IGrantable, access: TableAccess): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...readActions, ...(access === 'readwrite' ? writeActions : [])],
      resources: [table.tableArn, ...tableDefinition.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`)],
    }),
  );
}
