/**
 * What AWS refuses, read from a synthesized CloudFormation template before anything is deployed: service
 * quotas and account prerequisites that neither `cdk synth`, cdk-nag nor the local stand-ins know about.
 * Each rule names the page it comes from. `cdk synth` runs these through {@link DeployRulesPlugin}
 * (infra/app.ts), `npm start -- --synth` before it starts, and test/infra/deploy-rules.test.ts on every
 * context the README documents.
 *
 * Values a deploy fills in (`Ref`, `Fn::GetAtt`, `Fn::Join`, …) are counted at the longest length AWS gives
 * them ({@link estimatedText}), so a size rule errs towards refusing.
 */
import { readFileSync } from 'node:fs';
import type { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown; Metadata?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };
export type CfnTemplate = { Resources: Record<string, CfnResource>; Outputs?: Record<string, unknown>; Parameters?: Record<string, unknown>; Mappings?: Record<string, unknown> };

export interface DeployRuleViolation {
  rule: string;
  /** The logical id of the resource that breaks the rule (or `template`). */
  resource: string;
  message: string;
  /** The AWS documentation the rule comes from. */
  source: string;
}

interface DeployRule {
  id: string;
  source: string;
  check(template: CfnTemplate): { resource: string; message: string }[];
}

const LAMBDA_QUOTAS = 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html';
const ESM_API = 'https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html';
const IAM_QUOTAS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html';
const CFN_QUOTAS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';
const HTTP_API_QUOTAS = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html';
const WEBSOCKET_QUOTAS = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html';
const APIGW_QUOTAS = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html';
const APIGW_LOGGING = 'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html';

/** Filters per event source mapping: 5 by default (10 only after a quota increase); more fails CreateEventSourceMapping. */
export const MAX_FILTERS_PER_EVENT_SOURCE_MAPPING = 5;
/** Readers per DynamoDB stream shard: more are throttled ("no more than two processes … from the same stream shard"). */
export const MAX_READERS_PER_TABLE_STREAM = 2;

const resourcesOf = (template: CfnTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const props = (r: CfnResource) => r.Properties ?? {};
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
const dependsOn = (r: CfnResource): unknown[] => (r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn]);
/** The logical id a `Ref` or `Fn::GetAtt` names, if the value is one. */
const referenced = (v: unknown): string | undefined => {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return String(o['Fn::GetAtt'][0]);
    if (typeof o['Fn::GetAtt'] === 'string') return o['Fn::GetAtt'].split('.')[0];
  }
  return undefined;
};

/** The longest values AWS gives what a deploy fills in: pseudo parameters, generated names and ARNs. */
const PSEUDO_LENGTH: Record<string, number> = { 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::Partition': 10, 'AWS::URLSuffix': 16, 'AWS::StackName': 128, 'AWS::StackId': 160, 'AWS::NoValue': 0 };
const GENERATED_NAME_LENGTH = 128;
const GENERATED_ARN_LENGTH = 256;

const isIntrinsic = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some((k) => k === 'Ref' || k.startsWith('Fn::'));

/** A value as text, each unresolved part replaced by a run of its longest length. */
export function estimatedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isIntrinsic(value)) return value === undefined || value === null ? '' : typeof value === 'object' ? estimatedJson(value) : String(value as number | boolean);
  if (typeof value.Ref === 'string') return 'x'.repeat(PSEUDO_LENGTH[value.Ref] ?? GENERATED_NAME_LENGTH);
  if ('Fn::GetAtt' in value) {
    const getAtt = value['Fn::GetAtt'];
    const attribute = Array.isArray(getAtt) ? String(getAtt[1]) : String(getAtt).split('.').slice(1).join('.');
    return 'x'.repeat(/Arn$/.test(attribute) ? GENERATED_ARN_LENGTH : GENERATED_NAME_LENGTH);
  }
  if (Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown];
    return Array.isArray(parts) ? parts.map((p) => estimatedText(p)).join(separator) : 'x'.repeat(GENERATED_ARN_LENGTH);
  }
  if ('Fn::Sub' in value) {
    const sub = value['Fn::Sub'];
    const text = Array.isArray(sub) ? String(sub[0]) : String(sub);
    return text.replace(/\$\{([^}]+)\}/g, (_m, name: string) => 'x'.repeat(PSEUDO_LENGTH[name] ?? GENERATED_ARN_LENGTH));
  }
  return 'x'.repeat(GENERATED_ARN_LENGTH);
}

/** A value as compact JSON, each unresolved part a string of its longest length. */
export function estimatedJson(value: unknown): string {
  if (isIntrinsic(value)) return JSON.stringify(estimatedText(value));
  if (Array.isArray(value)) return `[${value.map((v) => estimatedJson(v)).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${estimatedJson(v)}`).join(',')}}`;
  return JSON.stringify(value) ?? '';
}

/** A policy document's size as IAM counts it: characters of its JSON, white space outside strings not counted. */
export function policySize(document: unknown): number {
  return estimatedJson(document).length;
}

const inRange = (value: unknown, min: number, max: number) => {
  const n = num(value);
  return n === undefined || (n >= min && n <= max);
};

export const DEPLOY_RULES: DeployRule[] = [
  {
    id: 'lambda-filters-per-event-source-mapping',
    source: LAMBDA_QUOTAS,
    check: (t) =>
      resourcesOf(t, 'AWS::Lambda::EventSourceMapping').flatMap(([id, r]) => {
        const filters = ((props(r).FilterCriteria as { Filters?: unknown[] } | undefined)?.Filters ?? []).length;
        return filters > MAX_FILTERS_PER_EVENT_SOURCE_MAPPING ? [{ resource: id, message: `${filters} filters on one event source mapping; Lambda allows ${MAX_FILTERS_PER_EVENT_SOURCE_MAPPING} (10 only after a quota increase) and fails CreateEventSourceMapping` }] : [];
      }),
  },
  {
    id: 'lambda-filter-pattern-length',
    source: 'https://docs.aws.amazon.com/lambda/latest/api/API_Filter.html',
    check: (t) =>
      resourcesOf(t, 'AWS::Lambda::EventSourceMapping').flatMap(([id, r]) =>
        ((props(r).FilterCriteria as { Filters?: { Pattern?: string }[] } | undefined)?.Filters ?? []).flatMap((f, i) => ((f.Pattern ?? '').length > 4096 ? [{ resource: id, message: `filter ${i + 1} is ${(f.Pattern ?? '').length} characters; a filter pattern may have 4,096` }] : [])),
      ),
  },
  {
    id: 'lambda-stream-mapping-settings',
    source: ESM_API,
    check: (t) =>
      resourcesOf(t, 'AWS::Lambda::EventSourceMapping').flatMap(([id, r]) => {
        const p = props(r);
        const out: { resource: string; message: string }[] = [];
        if (!inRange(p.BatchSize, 1, 10_000)) out.push({ resource: id, message: `BatchSize ${String(p.BatchSize)} is outside 1–10,000` });
        if (!inRange(p.MaximumBatchingWindowInSeconds, 0, 300)) out.push({ resource: id, message: `MaximumBatchingWindowInSeconds ${String(p.MaximumBatchingWindowInSeconds)} is outside 0–300` });
        if (!inRange(p.MaximumRetryAttempts, -1, 10_000)) out.push({ resource: id, message: `MaximumRetryAttempts ${String(p.MaximumRetryAttempts)} is outside -1–10,000` });
        const age = num(p.MaximumRecordAgeInSeconds);
        if (age !== undefined && age !== -1 && (age < 60 || age > 604_800)) out.push({ resource: id, message: `MaximumRecordAgeInSeconds ${age} is neither -1 nor within 60–604,800` });
        if (!inRange(p.ParallelizationFactor, 1, 10)) out.push({ resource: id, message: `ParallelizationFactor ${String(p.ParallelizationFactor)} is outside 1–10` });
        const destination = estimatedText((p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination ?? '');
        const target = referenced((p.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure?.Destination);
        const targetType = target ? t.Resources[target]?.Type : undefined;
        if (targetType && !['AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::S3::Bucket'].includes(targetType)) out.push({ resource: id, message: `an on-failure destination of type ${targetType}; stream mappings take an SQS queue, an SNS topic or an S3 bucket` });
        else if (!targetType && destination && !/^arn:[^:]+:(sqs|sns|s3):/.test(destination) && !/^x+$/.test(destination)) out.push({ resource: id, message: 'an on-failure destination that is not an SQS queue, an SNS topic or an S3 bucket' });
        return out;
      }),
  },
  {
    id: 'dynamodb-readers-per-stream',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html',
    check: (t) => {
      const readers = new Map<string, string[]>();
      for (const [id, r] of resourcesOf(t, 'AWS::Lambda::EventSourceMapping')) {
        const table = referenced(props(r).EventSourceArn);
        if (table && t.Resources[table]?.Type === 'AWS::DynamoDB::Table') readers.set(table, [...(readers.get(table) ?? []), id]);
      }
      return [...readers].filter(([, ids]) => ids.length > MAX_READERS_PER_TABLE_STREAM).map(([table, ids]) => ({ resource: table, message: `${ids.length} event source mappings read the table's stream (${ids.join(', ')}); more than ${MAX_READERS_PER_TABLE_STREAM} readers per shard are throttled` }));
    },
  },
  {
    id: 'dynamodb-global-secondary-indexes',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
    check: (t) => resourcesOf(t, 'AWS::DynamoDB::Table').flatMap(([id, r]) => ((props(r).GlobalSecondaryIndexes as unknown[] | undefined)?.length ?? 0) > 20 ? [{ resource: id, message: 'more than 20 global secondary indexes on one table' }] : []),
  },
  {
    id: 'api-gateway-account-logging-role',
    source: APIGW_LOGGING,
    check: (t) => {
      const accounts = resourcesOf(t, 'AWS::ApiGateway::Account').filter(([, r]) => props(r).CloudWatchRoleArn !== undefined);
      const websocketApis = new Set(resourcesOf(t, 'AWS::ApiGatewayV2::Api').filter(([, r]) => props(r).ProtocolType === 'WEBSOCKET').map(([id]) => id));
      const logging = [
        ...resourcesOf(t, 'AWS::ApiGatewayV2::Stage').filter(([, r]) => websocketApis.has(referenced(props(r).ApiId) ?? '')),
        ...resourcesOf(t, 'AWS::ApiGateway::Stage'),
      ].filter(([, r]) => {
        const p = props(r);
        const level = (p.DefaultRouteSettings as { LoggingLevel?: string } | undefined)?.LoggingLevel ?? (p.MethodSettings as { LoggingLevel?: string }[] | undefined)?.find((m) => m.LoggingLevel)?.LoggingLevel;
        return p.AccessLogSettings !== undefined || (level !== undefined && level !== 'OFF');
      });
      return logging.flatMap(([id, r]) => {
        if (accounts.length === 0) return [{ resource: id, message: 'a WebSocket or REST stage writes logs, but no AWS::ApiGateway::Account sets the account\'s CloudWatch Logs role: on an account that never set one, CloudFormation fails with "CloudWatch Logs role ARN must be set in account settings to enable logging"' }];
        return accounts.some(([accountId]) => dependsOn(r).includes(accountId)) ? [] : [{ resource: id, message: `a logging stage must depend on ${accounts[0]![0]} (the account's CloudWatch Logs role), or CloudFormation may create it first and fail` }];
      });
    },
  },
  {
    id: 'api-gateway-websocket-mock-integration',
    source: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mock-integration.html',
    check: (t) =>
      resourcesOf(t, 'AWS::ApiGatewayV2::Integration')
        .filter(([, r]) => props(r).IntegrationType === 'MOCK' && !props(r).RequestTemplates)
        .map(([id]) => ({ resource: id, message: 'a MOCK integration without a request template answers every message with an integration error' })),
  },
  {
    id: 'api-gateway-routes-per-api',
    source: HTTP_API_QUOTAS,
    check: (t) => {
      const counts = new Map<string, number>();
      for (const [, r] of resourcesOf(t, 'AWS::ApiGatewayV2::Route')) {
        const api = referenced(props(r).ApiId) ?? '?';
        counts.set(api, (counts.get(api) ?? 0) + 1);
      }
      return [...counts].filter(([, n]) => n > 300).map(([api, n]) => ({ resource: api, message: `${n} routes on one API; HTTP and WebSocket APIs allow 300 (${WEBSOCKET_QUOTAS})` }));
    },
  },
  {
    id: 'api-gateway-throttle-within-account',
    source: APIGW_QUOTAS,
    check: (t) =>
      resourcesOf(t, 'AWS::ApiGatewayV2::Stage').flatMap(([id, r]) => {
        const p = props(r);
        const settings = [p.DefaultRouteSettings, ...Object.values((p.RouteSettings as Record<string, unknown> | undefined) ?? {})] as ({ ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number } | undefined)[];
        return settings.some((s) => (s?.ThrottlingRateLimit ?? 0) > 10_000 || (s?.ThrottlingBurstLimit ?? 0) > 5_000) ? [{ resource: id, message: 'a throttle above the account\'s 10,000 requests/s (burst 5,000) per region never applies' }] : [];
      }),
  },
  {
    id: 'iam-inline-policy-size-per-role',
    source: IAM_QUOTAS,
    check: (t) => {
      const sizes = new Map<string, number>();
      const add = (role: string, size: number) => sizes.set(role, (sizes.get(role) ?? 0) + size);
      for (const [id, r] of resourcesOf(t, 'AWS::IAM::Role')) for (const p of (props(r).Policies as { PolicyDocument: unknown }[] | undefined) ?? []) add(id, policySize(p.PolicyDocument));
      for (const [, r] of resourcesOf(t, 'AWS::IAM::Policy')) for (const role of (props(r).Roles as unknown[] | undefined) ?? []) add(referenced(role) ?? estimatedText(role), policySize(props(r).PolicyDocument));
      return [...sizes].filter(([, size]) => size > 10_240).map(([role, size]) => ({ resource: role, message: `inline policies of about ${size} characters; a role's inline policies together may have 10,240` }));
    },
  },
  {
    id: 'iam-managed-policies',
    source: IAM_QUOTAS,
    check: (t) => [
      ...resourcesOf(t, 'AWS::IAM::ManagedPolicy').flatMap(([id, r]) => (policySize(props(r).PolicyDocument) > 6_144 ? [{ resource: id, message: `a managed policy of about ${policySize(props(r).PolicyDocument)} characters; the quota is 6,144` }] : [])),
      ...resourcesOf(t, 'AWS::IAM::Role').flatMap(([id, r]) => (((props(r).ManagedPolicyArns as unknown[] | undefined)?.length ?? 0) > 10 ? [{ resource: id, message: 'more than 10 managed policies attached to one role' }] : [])),
      ...resourcesOf(t, 'AWS::IAM::Role').flatMap(([id, r]) => (typeof props(r).RoleName === 'string' && (props(r).RoleName as string).length > 64 ? [{ resource: id, message: 'a role name over 64 characters' }] : [])),
    ],
  },
  {
    id: 'lambda-environment-size',
    source: LAMBDA_QUOTAS,
    check: (t) =>
      resourcesOf(t, 'AWS::Lambda::Function').flatMap(([id, r]) => {
        const variables = ((props(r).Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
        const size = Object.entries(variables).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(estimatedText(v)), 0);
        return size > 4096 ? [{ resource: id, message: `environment variables of about ${size} bytes; Lambda allows 4 KB in all` }] : [];
      }),
  },
  {
    id: 'lambda-function-settings',
    source: LAMBDA_QUOTAS,
    check: (t) =>
      resourcesOf(t, 'AWS::Lambda::Function').flatMap(([id, r]) => {
        const p = props(r);
        const out: { resource: string; message: string }[] = [];
        if (!inRange(p.Timeout, 1, 900)) out.push({ resource: id, message: `timeout ${String(p.Timeout)} s; at most 900` });
        if (!inRange(p.MemorySize, 128, 10_240)) out.push({ resource: id, message: `memory ${String(p.MemorySize)} MB; 128 to 10,240` });
        if (typeof p.Description === 'string' && p.Description.length > 256) out.push({ resource: id, message: 'a description over 256 characters' });
        if (typeof p.FunctionName === 'string' && p.FunctionName.length > 64) out.push({ resource: id, message: 'a function name over 64 characters' });
        return out;
      }),
  },
  {
    id: 'lambda-unreserved-concurrency',
    source: LAMBDA_QUOTAS,
    check: (t) => {
      const reserved = resourcesOf(t, 'AWS::Lambda::Function').reduce((sum, [, r]) => sum + (num(props(r).ReservedConcurrentExecutions) ?? 0), 0);
      return reserved > 900 ? [{ resource: 'template', message: `${reserved} reserved concurrent executions; an account's default 1,000 must keep 100 unreserved` }] : [];
    },
  },
  {
    id: 'lambda-asynchronous-invocation',
    source: 'https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html',
    check: (t) =>
      resourcesOf(t, 'AWS::Lambda::EventInvokeConfig').flatMap(([id, r]) => {
        const p = props(r);
        return !inRange(p.MaximumRetryAttempts, 0, 2) || !inRange(p.MaximumEventAgeInSeconds, 60, 21_600) ? [{ resource: id, message: 'asynchronous retries must be 0–2 and the event age 60–21,600 s' }] : [];
      }),
  },
  {
    id: 'cloudformation-template-limits',
    source: CFN_QUOTAS,
    check: (t) => {
      const out: { resource: string; message: string }[] = [];
      const resources = Object.keys(t.Resources).length;
      if (resources > 500) out.push({ resource: 'template', message: `${resources} resources; a stack may have 500` });
      if (Object.keys(t.Outputs ?? {}).length > 200) out.push({ resource: 'template', message: 'more than 200 outputs' });
      if (Object.keys(t.Parameters ?? {}).length > 200) out.push({ resource: 'template', message: 'more than 200 parameters' });
      const size = Buffer.byteLength(JSON.stringify(t));
      // CDK uploads templates over 51,200 bytes to the bootstrap bucket; from there CloudFormation takes 1 MB.
      if (size > 1_048_576) out.push({ resource: 'template', message: `a template of ${size} bytes; CloudFormation takes 1 MB from S3` });
      for (const id of Object.keys(t.Resources)) if (id.length > 255 || !/^[A-Za-z0-9]+$/.test(id)) out.push({ resource: id, message: 'a logical id must be alphanumeric, at most 255 characters' });
      return out;
    },
  },
  {
    id: 'sns-filter-policy',
    source: 'https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html',
    check: (t) =>
      resourcesOf(t, 'AWS::SNS::Subscription').flatMap(([id, r]) => {
        const policy = props(r).FilterPolicy as Record<string, unknown> | undefined;
        if (!policy) return [];
        const leaves: number[] = [];
        const walk = (o: Record<string, unknown>) => {
          for (const v of Object.values(o)) {
            if (Array.isArray(v)) leaves.push(v.length);
            else if (v && typeof v === 'object') walk(v as Record<string, unknown>);
          }
        };
        walk(policy);
        const combinations = leaves.reduce((a, b) => a * b, 1);
        const out: { resource: string; message: string }[] = [];
        if (leaves.length > 5) out.push({ resource: id, message: `a filter policy with ${leaves.length} keys; SNS allows 5` });
        if (combinations > 150) out.push({ resource: id, message: `a filter policy of ${combinations} combinations; SNS allows 150` });
        if (JSON.stringify(policy).length > 256 * 1024) out.push({ resource: id, message: 'a filter policy over 256 KB' });
        return out;
      }),
  },
  {
    id: 'eventbridge-rule-limits',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
    check: (t) =>
      resourcesOf(t, 'AWS::Events::Rule').flatMap(([id, r]) => {
        const out: { resource: string; message: string }[] = [];
        const pattern = props(r).EventPattern;
        if (pattern !== undefined && estimatedText(pattern).length > 2048) out.push({ resource: id, message: `an event pattern of ${estimatedText(pattern).length} characters; EventBridge allows 2,048` });
        if (((props(r).Targets as unknown[] | undefined)?.length ?? 0) > 5) out.push({ resource: id, message: 'more than 5 targets on one rule' });
        return out;
      }),
  },
  {
    id: 'scheduler-schedule-group-name',
    source: 'https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateScheduleGroup.html',
    check: (t) =>
      resourcesOf(t, 'AWS::Scheduler::ScheduleGroup').flatMap(([id, r]) => {
        const name = props(r).Name;
        const text = estimatedText(name);
        // Each message's schedule is named in code (shared/domain/scheduling.ts, at most 64 characters too).
        return text.length > 64 || (typeof name === 'string' && !/^[0-9a-zA-Z-_.]+$/.test(name)) ? [{ resource: id, message: `schedule group name "${text}" is not 1–64 characters of [0-9a-zA-Z-_.]` }] : [];
      }),
  },
  {
    id: 'cloudwatch-log-group-names',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html',
    check: (t) =>
      resourcesOf(t, 'AWS::Logs::LogGroup').flatMap(([id, r]) => {
        const name = props(r).LogGroupName;
        return typeof name === 'string' && (name.length > 512 || !/^[.\-_/#A-Za-z0-9]+$/.test(name)) ? [{ resource: id, message: `log group name "${name}" is not 1–512 characters of [.-_/#A-Za-z0-9]` }] : [];
      }),
  },
  {
    id: 'cloudwatch-alarm-actions',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html',
    check: (t) => resourcesOf(t, 'AWS::CloudWatch::Alarm').flatMap(([id, r]) => (['AlarmActions', 'OKActions', 'InsufficientDataActions'].some((k) => ((props(r)[k] as unknown[] | undefined)?.length ?? 0) > 5) ? [{ resource: id, message: 'more than 5 actions for one alarm state' }] : [])),
  },
  {
    id: 'cognito-domain-prefix',
    source: 'https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html',
    check: (t) =>
      resourcesOf(t, 'AWS::Cognito::UserPoolDomain').flatMap(([id, r]) => {
        const domain = props(r).Domain;
        if (props(r).CustomDomainConfig) return [];
        const text = estimatedText(domain);
        const literal = typeof domain === 'string' ? domain : undefined;
        const out: { resource: string; message: string }[] = [];
        if (text.length > 63) out.push({ resource: id, message: `a domain prefix of up to ${text.length} characters; Cognito allows 63` });
        if (literal && (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(literal) || /aws|amazon|cognito/.test(literal))) out.push({ resource: id, message: `domain prefix "${literal}": lower-case letters, digits and hyphens, without aws, amazon or cognito` });
        return out;
      }),
  },
  {
    id: 'sqs-message-retention',
    source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html',
    check: (t) => resourcesOf(t, 'AWS::SQS::Queue').flatMap(([id, r]) => (!inRange(props(r).MessageRetentionPeriod, 60, 1_209_600) ? [{ resource: id, message: 'message retention outside 60 s – 14 days' }] : [])),
  },
  {
    id: 'cloudwatch-dashboard-body',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html',
    check: (t) =>
      resourcesOf(t, 'AWS::CloudWatch::Dashboard').flatMap(([id, r]) => {
        // The body is JSON joined with references (region, names): counted on its literal parts.
        const body = props(r).DashboardBody;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const widgets = (text.match(/\\?"type\\?":\\?"(metric|text|alarm|log|explorer)\\?"/g) ?? []).length;
        const name = props(r).DashboardName;
        return [
          ...(widgets > 500 ? [{ resource: id, message: `${widgets} widgets; a dashboard holds at most 500` }] : []),
          ...(typeof name === 'string' && !/^[A-Za-z0-9_-]{1,255}$/.test(name) ? [{ resource: id, message: `dashboard name "${name}" is not 1–255 letters, digits, "-" and "_"` }] : []),
        ];
      }),
  },
  {
    id: 's3-bucket-names',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html',
    check: (t) =>
      resourcesOf(t, 'AWS::S3::Bucket').flatMap(([id, r]) => {
        const name = props(r).BucketName;
        return typeof name === 'string' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) ? [{ resource: id, message: `bucket name "${name}" is not 3–63 lower-case letters, digits, dots and hyphens` }] : [];
      }),
  },
];

/** Every rule the template breaks; empty when AWS would take it. */
export function checkDeployRules(template: CfnTemplate): DeployRuleViolation[] {
  return DEPLOY_RULES.flatMap((rule) => rule.check(template).map((v) => ({ rule: rule.id, source: rule.source, ...v })));
}

export function describeViolations(violations: DeployRuleViolation[]): string {
  return violations.map((v) => `${v.resource}: ${v.message} [${v.rule}; ${v.source}]`).join('\n');
}

export class DeployRuleError extends Error {
  constructor(readonly violations: DeployRuleViolation[]) {
    super(`AWS would refuse this template:\n${describeViolations(violations)}`);
    this.name = 'DeployRuleError';
  }
}

/** Throws {@link DeployRuleError} listing every rule the template breaks. */
export function assertDeployable(template: CfnTemplate): void {
  const violations = checkDeployRules(template);
  if (violations.length > 0) throw new DeployRuleError(violations);
}

/** The rules as a CDK validation plugin: `cdk synth` and `cdk deploy` stop on a template AWS would refuse. */
export class DeployRulesPlugin implements IPolicyValidationPlugin {
  readonly name = 'sms-crm-deploy-rules';
  readonly ruleIds = DEPLOY_RULES.map((r) => r.id);

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = context.templatePaths.flatMap((templatePath) =>
      checkDeployRules(JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate).map((v) => ({
        ruleName: v.rule,
        description: v.message,
        fix: v.source,
        violatingResources: [{ resourceLogicalId: v.resource, locations: [v.resource === 'template' ? 'Resources' : `Resources/${v.resource}`], templatePath }],
      })),
    );
    // One violation per rule and resource, as CDK's report expects.
    return { success: violations.length === 0, violations };
  }
}
