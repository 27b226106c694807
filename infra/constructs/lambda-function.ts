import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, LoggingFormat, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { acknowledge } from '../nag';
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
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: SmsFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // Own role with write access to this log group only (instead of the broad AWSLambdaBasicExecutionRole).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', '..', 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(15),
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: `sms-crm-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'SmsCrm',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: bundlingOptions(),
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

export function bundlingOptions() {
  return {
    format: OutputFormat.ESM,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    target: 'node22',
    mainFields: ['module', 'main'],
    // The AWS SDK is bundled, tree-shaken and minified (AWS's guidance for Node.js cold starts): loading
    // the runtime's copy from node_modules cost most of every function's init. SDK clients that a cold
    // start rarely needs stay behind dynamic imports, which esbuild evaluates on first use.
    externalModules: [] as string[],
    // Some dependencies are CommonJS and call require(); give the ESM bundle one.
    banner: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    forceDockerBundling: false,
  };
}

/** The esbuild options CDK's bundling amounts to for one function (the bench and the bundle-size test build with them). */
export function esbuildOptionsFor(fn: string) {
  const options = bundlingOptions();
  return {
    entryPoints: [path.join('functions', fn, 'handler.ts')],
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    minify: options.minify,
    target: options.target,
    mainFields: options.mainFields,
    external: options.externalModules,
    banner: { js: options.banner },
    logLevel: 'silent' as const,
  };
}
