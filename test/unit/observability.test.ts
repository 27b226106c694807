import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics, JsonLogger } from '../../shared/observability';
import { redactLogValue } from '../../shared/domain/redact';

function captureStdout() {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

const metricsDisabled = process.env.METRICS_DISABLED;
afterEach(() => {
  vi.restoreAllMocks();
  process.env.METRICS_DISABLED = metricsDisabled;
});

describe('EMF metrics', () => {
  it('writes one CloudWatch embedded-metric line per invocation, summing repeats, then starts again', () => {
    process.env.METRICS_DISABLED = 'false';
    const lines = captureStdout();
    const metrics = new EmfMetrics('SmsCrm', 'sms-crm-test');
    metrics.addMetric('InboundStored', 'Count', 1);
    metrics.addMetric('InboundStored', 'Count', 2);
    metrics.addMetric('InboundDuplicate', 'Count', 1);
    metrics.publish();
    metrics.publish();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ service: 'sms-crm-test', InboundStored: 3, InboundDuplicate: 1 });
    expect(line._aws.CloudWatchMetrics).toEqual([{ Namespace: 'SmsCrm', Dimensions: [['service']], Metrics: [{ Name: 'InboundStored', Unit: 'Count' }, { Name: 'InboundDuplicate', Unit: 'Count' }] }]);
    expect(typeof line._aws.Timestamp).toBe('number');
  });

  it('counts by a dimension (the provider, a failure reason) on lines of their own, summed per value', () => {
    process.env.METRICS_DISABLED = 'false';
    const lines = captureStdout();
    const metrics = new EmfMetrics('SmsCrm', 'sms-crm-inbound');
    metrics.addMetricBy('InboundMessages', 'provider', 'twilio', 1);
    metrics.addMetricBy('InboundMessages', 'provider', 'twilio', 1);
    metrics.addMetricBy('InboundMessages', 'provider', 'eum', 1);
    metrics.publish();
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).map(({ _aws, ...rest }) => ({ ...rest, dimensions: (_aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]!.Dimensions }))).toEqual([
      { service: 'sms-crm-inbound', provider: 'twilio', InboundMessages: 2, dimensions: [['service', 'provider']] },
      { service: 'sms-crm-inbound', provider: 'eum', InboundMessages: 1, dimensions: [['service', 'provider']] },
    ]);
    metrics.publish();
    expect(lines).toHaveLength(2);
  });

  it('writes nothing when disabled (the local stack and tests)', () => {
    process.env.METRICS_DISABLED = 'true';
    const lines = captureStdout();
    const metrics = new EmfMetrics('SmsCrm', 's');
    metrics.addMetric('X', 'Count', 1);
    metrics.publish();
    expect(lines).toEqual([]);
  });
});

describe('JSON logger', () => {
  it('writes JSON lines at or above its level, with the invocation context, errors as objects, everything redacted', () => {
    const lines = captureStdout();
    const logger = new JsonLogger('sms-crm-test', redactLogValue);
    logger.setLogLevel('INFO');
    logger.debug('not written');
    logger.addContext({ functionName: 'fn', awsRequestId: 'req-1' } as never);
    logger.warn('customer +14255550123 said', { body: 'secret text', error: new Error('to 425-555-0123') });
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'WARN', service: 'sms-crm-test', function_name: 'fn', function_request_id: 'req-1', cold_start: true, body: '[withheld: 11 characters]' });
    expect(line.message).toBe('customer …0123 said');
    expect(line.error).toMatchObject({ name: 'Error', message: 'to …0123' });
    expect(lines[0]).not.toContain('555-0123');
  });
});
