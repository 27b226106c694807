import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { redactLogValue } from './domain/redact';
import { mapStackToSources } from './source-maps';

/**
 * Structured JSON logs and CloudWatch embedded-metric-format (EMF) metrics, written to stdout, in the
 * shape Powertools for AWS Lambda writes them. Our own ~150 lines instead of Powertools' logger and
 * metrics: they cost about 15 ms of every cold start (bench), and we use only this much of them.
 */
const LEVELS = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, CRITICAL: 50, SILENT: 60 } as const;
export type LogLevel = keyof typeof LEVELS;

const serviceName = process.env.SERVICE_NAME ?? 'sms-crm';

function levelFrom(value: string | undefined): LogLevel {
  const upper = (value ?? '').toUpperCase();
  return upper in LEVELS ? (upper as LogLevel) : 'INFO';
}

/** An error as a log item: name, message and the stack mapped to the TypeScript sources (read only now). */
function errorItem(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, stack: mapStackToSources(error.stack), ...(error.cause instanceof Error ? { cause: errorItem(error.cause) } : {}) };
}

export class JsonLogger {
  private threshold: LogLevel;
  private context: Record<string, unknown> = {};
  private coldStart = true;

  constructor(
    private readonly service: string,
    /** Every value of every line passes through it: no phone number or message body is ever written. */
    private readonly replacer: (key: string, value: unknown) => unknown,
  ) {
    this.threshold = levelFrom(process.env.LOG_LEVEL ?? process.env.AWS_LAMBDA_LOG_LEVEL);
  }

  setLogLevel(level: LogLevel): void {
    this.threshold = level;
  }

  /** The invocation's request id and function, on every line until the next invocation. */
  addContext(context: Context): void {
    this.context = { function_name: context.functionName, function_request_id: context.awsRequestId, cold_start: this.coldStart };
    this.coldStart = false;
  }

  debug(message: string, ...extras: unknown[]): void {
    this.write('DEBUG', message, extras);
  }
  info(message: string, ...extras: unknown[]): void {
    this.write('INFO', message, extras);
  }
  warn(message: string, ...extras: unknown[]): void {
    this.write('WARN', message, extras);
  }
  error(message: string, ...extras: unknown[]): void {
    this.write('ERROR', message, extras);
  }
  critical(message: string, ...extras: unknown[]): void {
    this.write('CRITICAL', message, extras);
  }

  private write(level: LogLevel, message: string, extras: unknown[]): void {
    if (LEVELS[level] < LEVELS[this.threshold]) return;
    const line: Record<string, unknown> = { level, message, timestamp: new Date().toISOString(), service: this.service, ...this.context };
    for (const extra of extras) {
      if (extra instanceof Error) line.error = errorItem(extra);
      else if (extra && typeof extra === 'object') for (const [key, value] of Object.entries(extra)) line[key] = value instanceof Error ? errorItem(value) : value;
      else if (extra !== undefined) line.extra = extra;
    }
    process.stdout.write(`${JSON.stringify(line, (key, value) => this.replacer(key, value))}\n`);
  }
}

export const MetricUnit = { Count: 'Count' } as const;

/** Business metrics, one EMF line per invocation (values of one name in an invocation add up). */
export class EmfMetrics {
  private readonly values = new Map<string, number>();
  /** Counts by one more dimension (provider, reason): a line per dimension value. */
  private readonly byDimension = new Map<string, { name: string; dimension: string; value: string; count: number }>();

  constructor(
    private readonly namespace: string,
    private readonly service: string,
  ) {}

  addMetric(name: string, _unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): void {
    this.values.set(name, (this.values.get(name) ?? 0) + value);
  }

  addMetricBy(name: string, dimension: string, dimensionValue: string, value: number): void {
    const key = `${name}\u0000${dimension}\u0000${dimensionValue}`;
    const entry = this.byDimension.get(key) ?? { name, dimension, value: dimensionValue, count: 0 };
    entry.count += value;
    this.byDimension.set(key, entry);
  }

  /** Writes what was counted, if anything, and starts again. */
  publish(): void {
    const lines: object[] = [];
    if (this.values.size > 0) {
      const names = [...this.values.keys()];
      lines.push({
        _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: [['service']], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) }] },
        service: this.service,
        ...Object.fromEntries(this.values),
      });
    }
    for (const { name, dimension, value, count } of this.byDimension.values()) {
      lines.push({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: [['service', dimension]], Metrics: [{ Name: name, Unit: 'Count' }] }] }, service: this.service, [dimension]: value, [name]: count });
    }
    this.values.clear();
    this.byDimension.clear();
    if (process.env.METRICS_DISABLED !== 'true') for (const line of lines) process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/** One structured logger per process; the service name comes from SERVICE_NAME. Every value passes the redaction. */
export const logger = new JsonLogger(serviceName, redactLogValue);

/** Business metrics as CloudWatch embedded metric format, written after each invocation (the metrics middleware). */
export const metrics = new EmfMetrics(process.env.METRICS_NAMESPACE ?? 'SmsCrm', serviceName);

export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** A count by one dimension of few values (the provider, a failure reason's code): the dashboard's breakdowns. */
export function countBy(name: string, dimension: 'provider' | 'reason', dimensionValue: string, value = 1): void {
  metrics.addMetricBy(name, dimension, dimensionValue, value);
}

/** Middy: the invocation's context on every log line. */
export function logContext(target: JsonLogger = logger): MiddlewareObj {
  return {
    before: (request) => {
      target.addContext(request.context as Context);
    },
  };
}

/** Middy: the invocation's metrics written once it ends, failed or not. */
export function publishMetrics(target: EmfMetrics = metrics): MiddlewareObj {
  const publish = async () => {
    target.publish();
  };
  return { after: publish, onError: publish };
}
