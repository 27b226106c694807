import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { redactLogValue } from './domain/redact';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'sms-crm';

/** One structured logger per process; the service name comes from POWERTOOLS_SERVICE_NAME. Every value passes the redaction. */
export const logger = new Logger({ serviceName, jsonReplacerFn: redactLogValue });

/** Business metrics as CloudWatch embedded metric format, flushed after each invocation (logMetrics middleware). */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'SmsCrm',
  serviceName,
  // Many invocations legitimately count nothing (a stream batch of unrelated changes): not worth a warning each.
  logger: {
    trace: (...args: unknown[]) => logger.trace(String(args[0])),
    debug: (...args: unknown[]) => logger.debug(String(args[0])),
    info: (...args: unknown[]) => logger.info(String(args[0])),
    warn: (...args: unknown[]) => {
      if (!String(args[0]).startsWith('No application metrics to publish')) logger.warn(String(args[0]));
    },
    error: (...args: unknown[]) => logger.error(String(args[0])),
  },
});

export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
