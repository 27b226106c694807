import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { apiGatewayEvent } from '../scripts/local/api-event';
import { freshNodeEnv } from './bundles';
import { median } from './stats';

/**
 * The seller-api bundle in a fresh Node against DynamoDB Local: module init, then the first request
 * (SDK clients' first-call setup: credentials, endpoint resolution) and a warm one (median of 7 runs).
 */
export function firstRequestOverhead(bundle: string, endpoint: string, table: string, sellerId: string): { initMs: number; firstMs: number; warmMs: number; overheadMs: number } {
  const event = apiGatewayEvent({ method: 'GET', path: '/me/conversations', query: { limit: '25' }, claims: { sub: sellerId } })!.event;
  const script = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(join(process.cwd(), bundle))});
    const t1 = performance.now();
    const event = ${JSON.stringify(event)};
    const context = { awsRequestId: 'bench', functionName: 'seller-api', getRemainingTimeInMillis: () => 30000 };
    const first = await handler(event, context);
    const t2 = performance.now();
    if (first.statusCode !== 200) throw new Error('answered ' + first.statusCode + ' ' + first.body);
    await handler(event, context);
    const t3 = performance.now();
    await handler(event, context);
    const t4 = performance.now();
    console.log(JSON.stringify({ init: t1 - t0, first: t2 - t1, warm: Math.min(t3 - t2, t4 - t3) }));`;
  const runs = Array.from({ length: 7 }, () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...freshNodeEnv, TABLE_NAME: table, DYNAMODB_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', CURSOR_SIGNING_KEY: 'bench' },
    });
    if (run.status !== 0) throw new Error(`first request failed: ${run.stderr}`);
    return JSON.parse(run.stdout.trim()) as { init: number; first: number; warm: number };
  });
  const firstMs = median(runs.map((r) => r.first));
  const warmMs = median(runs.map((r) => r.warm));
  return { initMs: median(runs.map((r) => r.init)), firstMs, warmMs, overheadMs: Math.round((firstMs - warmMs) * 10) / 10 };
}
