import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'sms-crm';

/** One structured logger per process; the service name comes from POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger({ serviceName });

/** Business metrics as CloudWatch embedded metric format, flushed after each invocation (logMetrics middleware). */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SmsCrm', serviceName });

export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
