import { beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SmsCrmStack } from '../../infra/stack';
import { tableDefinition } from '../../shared/store/table-definition';
import { routes } from '../../shared/http/routes';

let template: Template;

beforeAll(() => {
  const app = new App({ context: { defaultRegion: 'US' } });
  template = Template.fromStack(new SmsCrmStack(app, 'Test'));
}, 120_000);

describe('table', () => {
  it('has the keys and indexes of the shared definition', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const props = Object.values(tables)[0]!.Properties;
    expect(props.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes.map((i: { IndexName: string; KeySchema: unknown }) => [i.IndexName, i.KeySchema])).toEqual(
      tableDefinition.globalSecondaryIndexes.map((i) => [
        i.indexName,
        [
          { AttributeName: i.partitionKey, KeyType: 'HASH' },
          { AttributeName: i.sortKey, KeyType: 'RANGE' },
        ],
      ]),
    );
  });

  it('has point-in-time recovery, a stream with new and old images, TTL and on-demand billing', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });
});

describe('functions', () => {
  it('run Node.js 22 or newer on arm64 with tracing, and know the table', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const tableRef = { Ref: Object.keys(template.findResources('AWS::DynamoDB::Table'))[0] };
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(2);
    for (const fn of Object.values(functions)) {
      const runtime = fn.Properties.Runtime as string;
      expect(Number(/nodejs(\d+)/.exec(runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables).toMatchObject({ TABLE_NAME: tableRef, DEFAULT_REGION: 'US' });
    }
  });
});

describe('HTTP API', () => {
  it('puts seller routes behind the JWT authorizer and leaves callbacks to verification in code', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    const deployed = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(deployed.length).toBeGreaterThan(0);
    for (const route of deployed) {
      const spec = routes.find((r) => `${r.method} ${r.path}` === route.RouteKey);
      expect(spec, route.RouteKey).toBeDefined();
      expect(route.AuthorizationType, route.RouteKey).toBe(spec!.access === 'public' ? 'NONE' : 'JWT');
    }
  });
});

describe('IAM', () => {
  it('grants no wildcard action', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*/);
      }
    }
  });
});
