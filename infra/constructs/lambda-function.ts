import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, Runtime, LoggingFormat, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../nag';
import { metricsNamespace, serviceName } from './alarms';
import { Construct } from 'constructs';
import * as path from 'node:path';

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export interface SmsFunctionProps {
  /** Folder under functions/ holding handler.ts. */
  name: string;
  description: string;
  environment: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
}

/** Every function is built alike: esbuild-bundled ESM, minified, arm64, tracing and JSON logs on. */
export class SmsFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: SmsFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // Own role with write access to this log group only (instead of the broad AWSLambdaBasicExecutionRole).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    this.fn = new LambdaFunction(this, 'Function', {
      code: functionCode(props.name),
      handler: 'index.handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(15),
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      environment: {
        SERVICE_NAME: serviceName(props.name),
        METRICS_NAMESPACE: metricsNamespace(this),
        ...props.environment,
      },
    });
    // Active tracing, with its two X-Ray actions in a policy of their own: the `Resource: *` acknowledgement
    // below covers exactly that policy, so a wildcard resource granted anywhere else is still a finding.
    (this.fn.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
    const tracing = new Policy(this, 'Tracing', {
      statements: [new PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })],
    });
    tracing.attachToRole(role);
    this.fn.node.addDependency(tracing);
    acknowledge(tracing, 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.');
  }
}

const PROJECT_ROOT = path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', '..');

/**
 * How every function is built: esbuild, minified ESM, the AWS SDK bundled in and tree-shaken (AWS's
 * guidance for Node.js cold starts), and code splitting, so code behind a dynamic import (the AWS SMS
 * clients, S3, SQS, the SDK's rarer credential providers) sits in a chunk that is neither read nor
 * compiled until first used. Source maps are written next to the code but not loaded at start: the
 * logger maps an error's stack when it logs one (shared/observability.ts).
 */
export function esbuildOptionsFor(fn: string) {
  return {
    entryPoints: { index: path.join(PROJECT_ROOT, 'functions', fn, 'handler.ts') },
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node22',
    minify: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    mainFields: ['module', 'main'],
    sourcemap: true,
    sourcesContent: false,
    // Some dependencies are CommonJS and call require(); give each ESM chunk one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'silent' as const,
  };
}

/** The function's code: bundled locally by esbuild into the asset folder (no Docker), hashed by its output. */
export function functionCode(fn: string): Code {
  return Code.fromAsset(path.join(PROJECT_ROOT, 'functions', fn), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API, never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string) {
          buildSync({ ...esbuildOptionsFor(fn), outdir: outputDir });
          return true;
        },
      },
    },
  });
}
