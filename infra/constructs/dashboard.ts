import { Duration, Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, Metric, PeriodOverride, TextWidget, type IMetric, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { metricsNamespace, serviceName } from './alarms';

export interface DashboardSources {
  /** Every function, by its name in functions/. */
  functions: ReadonlyMap<string, IFunction>;
  /** The functions behind the HTTP API's route families (seller API, directory, sends, callbacks…). */
  apiFunctions: readonly string[];
  /** The table stream's readers. */
  streamReaders: readonly string[];
  /** Failure (dead-letter) queues by name. */
  failureQueues: ReadonlyMap<string, IQueue>;
  streamFailures: IBucket;
  httpApiId: string;
  liveApiId: string;
}

const MINUTE = Duration.minutes(1);

/**
 * What someone on call looks at first (README, "Runbook"): traffic by provider, delivery failures by reason, the
 * API's errors and latency per route family, the stream readers' lag and failures, the live channel, the failure
 * queues and the migrations' progress. Breakdowns by provider and reason are Metrics Insights queries over the
 * functions' EMF counts (shared/observability.ts `countBy`).
 */
export class OperatorDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, sources: DashboardSources) {
    super(scope, id);
    const namespace = metricsNamespace(this);
    const app = (metricName: string, fn: string, statistic = 'Sum') => new Metric({ namespace, metricName, dimensionsMap: { service: serviceName(fn) }, statistic, period: MINUTE, label: `${metricName} (${fn})` });
    const byDimension = (metricName: string, dimension: string, label: string) =>
      new MathExpression({ expression: `SELECT SUM(${metricName}) FROM SCHEMA("${namespace}", ${dimension}, service) GROUP BY ${dimension}`, period: MINUTE, label });
    const fn = (name: string) => sources.functions.get(name)!;
    const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# SMS CRM: ${Stack.of(this).stackName}\nWhat to look at first when an alarm fires. Each alarm's meaning, what sellers notice and how to recover: README, **Runbook**. Send later: scheduled, fired, canceled, deferred and late sends, and the CRM's steps.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        graph('Inbound messages per minute, by provider', [byDimension('InboundMessages', 'provider', 'inbound')]),
        graph('Outbound messages per minute, by provider', [byDimension('OutboundMessages', 'provider', 'outbound')]),
        graph('Delivery failures, by reason', [byDimension('DeliveryFailures', 'reason', 'failed')]),
      ],
      [
        graph('HTTP API: 5xx and 4xx', [
          new Metric({ namespace: 'AWS/ApiGateway', metricName: '5xx', dimensionsMap: { ApiId: sources.httpApiId }, statistic: 'Sum', period: MINUTE }),
          new Metric({ namespace: 'AWS/ApiGateway', metricName: '4xx', dimensionsMap: { ApiId: sources.httpApiId }, statistic: 'Sum', period: MINUTE }),
        ]),
        graph('Errors per route family (function)', sources.apiFunctions.map((name) => fn(name).metricErrors({ period: MINUTE, label: name }))),
        graph('Latency per route family: p50 and p95 (ms)', sources.apiFunctions.flatMap((name) => ['p50', 'p95'].map((statistic) => fn(name).metricDuration({ period: MINUTE, statistic, label: `${name} ${statistic}` })))),
      ],
      [
        graph('Table stream: iterator age per reader (ms, max)', sources.streamReaders.map((name) => new Metric({ namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensionsMap: { FunctionName: fn(name).functionName }, statistic: 'Maximum', period: MINUTE, label: name }))),
        graph('Table stream: reader errors and failed batches kept', [
          ...sources.streamReaders.map((name) => fn(name).metricErrors({ period: MINUTE, label: `${name} errors` })),
          new Metric({ namespace: 'AWS/S3', metricName: 'PutRequests', dimensionsMap: { BucketName: sources.streamFailures.bucketName, FilterId: 'FailedBatches' }, statistic: 'Sum', period: MINUTE, label: 'failed batches kept' }),
        ]),
        graph('Failure queues: messages waiting', [...sources.failureQueues].map(([name, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum', label: name }))),
      ],
      [
        graph('Live channel: connections opened and refused', [
          new Metric({ namespace: 'AWS/ApiGateway', metricName: 'ConnectCount', dimensionsMap: { ApiId: sources.liveApiId }, statistic: 'Sum', period: MINUTE, label: 'connects' }),
          app('LiveConnectRefused', 'live'),
          app('LiveConnectLimited', 'live'),
        ]),
        graph('Live channel: frames sent, failed, dropped', [app('LiveFramesSent', 'notifier'), app('LiveFramesFailed', 'notifier'), app('LiveFramesDropped', 'notifier')]),
        graph('Migrations: items visited and changed, migrations pending', [app('MigrationItemsVisited', 'migrations'), app('MigrationItemsChanged', 'migrations'), app('MigrationsPending', 'migrations', 'Maximum')]),
      ],
      [
        graph('Send later: scheduled, fired, sent late (over 60 s)', [app('OutboundScheduled', 'outbound-send'), app('OutboundScheduled', 'scheduled-send'), app('ScheduledFired', 'scheduled-send'), app('ScheduledSentLate', 'scheduled-send')]),
        graph('Send later: canceled at fire or by a reply, deferred by quiet hours', [app('ScheduledCanceled', 'scheduled-send'), app('ScheduledCanceled', 'notifier'), app('ScheduledDeferred', 'scheduled-send')]),
        graph('CRM automated steps: sent or scheduled, skipped', [app('SmsStepSent', 'scheduled-send'), app('SmsStepSent', 'outbound-send'), app('SmsStepSkipped', 'scheduled-send'), app('SmsStepSkipped', 'outbound-send')]),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the region keeps two deployments of the stack apart.
      dashboardName: `${Stack.of(this).stackName}-${Stack.of(this).region}-operations`, periodOverride: PeriodOverride.AUTO, widgets: rows });
  }
}
