import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

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

  /** A count the code emits (EMF metrics, namespace SmsCrm) above zero in 5 minutes. */
  appMetric(id: string, metricName: string, service: string, description: string): void {
    this.alarm(id, new Metric({ namespace: 'SmsCrm', metricName, dimensionsMap: { service }, statistic: 'Sum', period: Duration.minutes(5) }), 0, description);
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
