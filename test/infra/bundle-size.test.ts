import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { buildFunction } from '../../bench/bundles';

/**
 * Every function, built as CDK builds it (esbuild, split at dynamic imports), stays within the 1 MB
 * budget, and what a cold start reads excludes the code it rarely needs.
 */
const BUDGET_BYTES = 1024 * 1024;
/** outbound-send carries every provider's client and S3 (outbound MMS), each in a chunk loaded on first use. */
const BUDGETS: Record<string, number> = { 'outbound-send': 1.25 * 1024 * 1024 };
const out = (fn: string) => join(tmpdir(), `bundle-test-${process.pid}`, fn);
const inputsOf = (built: Awaited<ReturnType<typeof buildFunction>>, files: string[]) => files.flatMap((f) => Object.keys(built.metafile.outputs[f]!.inputs));

describe('function bundles', () => {
  it.each(readdirSync('functions').sort())('%s is within its budget (1 MB; outbound-send 1.25 MB), all chunks together', async (fn) => {
    const built = await buildFunction(fn, out(fn));
    expect(built.eagerBytes).toBeGreaterThan(10_000);
    expect(built.bytes).toBeLessThanOrEqual(BUDGETS[fn] ?? BUDGET_BYTES);
  });

  it('outbound-send reads the Pinpoint and End User Messaging clients only when a message uses them', async () => {
    const built = await buildFunction('outbound-send', out('outbound-send'));
    const all = Object.keys(built.metafile.outputs).filter((f) => f.endsWith('.mjs'));
    const lazy = all.filter((f) => !built.eager.includes(f));
    for (const client of ['@aws-sdk/client-pinpoint/', '@aws-sdk/client-pinpoint-sms-voice-v2/']) {
      expect(inputsOf(built, lazy).some((input) => input.includes(client)), `${client} in a lazy chunk`).toBe(true);
      expect(inputsOf(built, built.eager).some((input) => input.includes(client)), `${client} read at start`).toBe(false);
    }
  });

  it('a cold start reads no phone metadata in delivery reports, and no S3, SQS or Secrets Manager client anywhere', async () => {
    const reports = await buildFunction('delivery-reports', out('delivery-reports'));
    expect(inputsOf(reports, reports.eager).some((input) => input.includes('libphonenumber-js') || input.includes('phone-metadata'))).toBe(false);
    for (const fn of ['seller-api', 'crm-events', 'outbound-send']) {
      const built = await buildFunction(fn, out(fn));
      const eagerInputs = inputsOf(built, built.eager);
      for (const client of ['@aws-sdk/client-s3/', '@aws-sdk/client-sqs/', '@aws-sdk/client-secrets-manager/']) expect(eagerInputs.some((input) => input.includes(client)), `${fn}: ${client}`).toBe(false);
    }
  });
});
