import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, type CfnStage, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { UserPool, UserPoolClient, AccountRecovery, FeaturePlan, StandardThreatProtectionMode } from 'aws-cdk-lib/aws-cognito';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';
import { SmsTable } from './constructs/table';
import { SmsFunction } from './constructs/lambda-function';
import { routes, type FunctionName } from '../shared/http/routes';
import { grantTable, type TableAccess } from './constructs/table-access';

export type SmsCrmStackProps = StackProps;

export class SmsCrmStack extends Stack {
  constructor(scope: Construct, id: string, props: SmsCrmStackProps = {}) {
    super(scope, id, props);
    const context = (name: string) => this.node.tryGetContext(name) as string | undefined;
    const deletionProtection = String(context('deletionProtection') ?? 'false') === 'true';

    const { table } = new SmsTable(this, 'Data', { deletionProtection });

    const commonEnvironment = {
      TABLE_NAME: table.tableName,
      DEFAULT_REGION: context('defaultRegion') ?? 'US',
    };

    const fn = (name: string, description: string, access: TableAccess, extra: Record<string, string> = {}) => {
      const created = new SmsFunction(this, pascal(name), { name, description, environment: { ...commonEnvironment, ...extra } }).fn;
      grantTable(table, created, access);
      return created;
    };

    const httpFunctions: Partial<Record<FunctionName, SmsFunction['fn']>> = {
      directory: fn('directory', 'Directory (sellers, teams, numbers) and CRM records API', 'readwrite'),
    };

    // CRM sync: RecordUpserted events on the default bus.
    const recordSync = fn('record-sync', 'Upserts CRM records from EventBridge RecordUpserted events', 'readwrite');
    const recordSyncDlq = this.deadLetterQueue('RecordSyncDlq');
    new Rule(this, 'RecordUpserted', { eventPattern: { detailType: ['RecordUpserted'] } }).addTarget(
      new LambdaTarget(recordSync, { deadLetterQueue: recordSyncDlq, retryAttempts: 8, maxEventAge: Duration.hours(6) }),
    );

    // --- HTTP API: seller routes behind the JWT authorizer, provider callbacks public (verified in code).
    const authorizer = this.jwtAuthorizer(context('jwtIssuer'), context('jwtAudience'));
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const api = new HttpApi(this, 'Api', {
      description: 'SMS CRM seller API and provider callbacks',
      createDefaultStage: false,
      corsPreflight: { allowOrigins: ['*'], allowMethods: [CorsHttpMethod.ANY], allowHeaders: ['authorization', 'content-type', 'idempotency-key'] },
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    const cfnStage = stage.node.defaultChild as CfnStage;
    cfnStage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId', ip: '$context.identity.sourceIp', routeKey: '$context.routeKey', status: '$context.status',
        latency: '$context.responseLatency', integrationError: '$context.integrationErrorMessage', sub: '$context.authorizer.claims.sub',
      }),
    };

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of routes) {
      const target = httpFunctions[route.fn];
      if (!target) continue;
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(route.fn)}Integration`, target);
        integrations.set(route.fn, integration);
      }
      api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.access === 'public' ? {} : { authorizer }),
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'TableName', { value: table.tableName });

  }

  private deadLetterQueue(id: string): Queue {
    const queue = new Queue(this, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    acknowledge(queue, 'AwsSolutions::AwsSolutions-SQS3', 'This queue is itself a dead-letter queue; failed events rest here for inspection and redrive.');
    return queue;
  }

  private jwtAuthorizer(issuer: string | undefined, audience: string | undefined): IHttpRouteAuthorizer {
    if (issuer && audience) {
      return new HttpJwtAuthorizer('JwtAuthorizer', issuer, { jwtAudience: audience.split(',') });
    }
    const userPool = new UserPool(this, 'Sellers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      mfa: undefined,
    });
    const client = new UserPoolClient(this, 'SellersClient', { userPool, authFlows: { userSrp: true } });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });
    acknowledge(userPool, 'AwsSolutions-COG2', 'MFA is an organisation policy choice; enable it in the user pool settings per customer.');
    return new HttpJwtAuthorizer('JwtAuthorizer', `https://cognito-idp.${this.region}.amazonaws.com/${userPool.userPoolId}`, {
      jwtAudience: [client.userPoolClientId],
    });
  }
}

function pascal(name: string): string {
  return name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
}
