import { Duration, Stack } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';

/** The functions' EMF namespace: one per stack, so two stacks in one account never set off each other's alarms. */
export function metricsNamespace(scope: IConstruct): string {
  return `SmsCrm/${Stack.of(scope).stackName}`;
}

/** A function's `service` dimension in its metrics. */
export const serviceName = (fn: string) => `sms-crm-${fn}`;

/** Operators hear of dead letters, function errors and throttles on one topic. */
export class OperatorAlarms extends Construct {
  constructor(scope: Construct, id: string, private readonly topic: ITopic) {
    super(scope, id);
  }

  deadLetters(name: string, queue: IQueue): void {
    this.alarm(`${name}DeadLetters`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 0, `${name}: events are waiting in the dead-letter queue`);
  }

  functionHealth(name: string, fn: IFunction): void {
    this.alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5) }), 0, `${name}: invocations failed`);
    this.alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5) }), 0, `${name}: invocations were throttled`);
  }

  /** A count function `fn` emits (EMF metrics in the stack's namespace) above zero in 5 minutes. */
  appMetric(id: string, metricName: string, fn: string, description: string): void {
    this.alarm(id, new Metric({ namespace: metricsNamespace(this), metricName, dimensionsMap: { service: serviceName(fn) }, statistic: 'Sum', period: Duration.minutes(5) }), 0, description);
  }

  /** A stream batch that failed after its retries was written to the failure bucket (its request metrics, filter `FailedBatches`). */
  failedStreamBatches(bucket: IBucket): void {
    const metric = new Metric({ namespace: 'AWS/S3', metricName: 'PutRequests', dimensionsMap: { BucketName: bucket.bucketName, FilterId: 'FailedBatches' }, statistic: 'Sum', period: Duration.minutes(1) });
    this.alarm('StreamBatchesFailed', metric, 0, 'Table stream batches failed after their retries and were kept in the StreamFailures bucket: fix the cause, then `npm run replay-stream-failure` (README, Operations)');
  }

  private alarm(id: string, metric: ReturnType<IFunction['metricErrors']>, threshold: number, description: string): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
