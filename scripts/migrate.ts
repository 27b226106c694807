/**
 * `npm run migrate [-- --endpoint URL] [--table NAME] [--region REGION]`: runs the migrations now, until every one is
 * done (resuming where any earlier run stopped). Locally, against the DynamoDB Local a stack prints at start
 * (`--endpoint`); in AWS, against the deployed table with the operator's credentials (the stack's function does
 * the same after every deploy, in the background).
 */
import { createDb } from '../shared/aws';
import { systemClock } from '../shared/domain/clock';
import { describeMigrationRun, runMigrations } from '../shared/store/migrations/runner';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const endpoint = option('endpoint') ?? process.env.DYNAMODB_ENDPOINT;
const table = option('table') ?? process.env.TABLE_NAME ?? 'SmsCrm';
const region = option('region') ?? process.env.AWS_REGION ?? 'us-east-1';

const deps = { db: createDb({ region, ...(endpoint ? { endpoint } : {}) }), table, clock: systemClock, defaultRegion: 'US' };
for (;;) {
  const run = await runMigrations(deps, { deadline: Date.now() + 60_000 });
  console.log(describeMigrationRun(run));
  if (run.done) break;
  if (run.busy) {
    await new Promise((r) => setTimeout(r, 5_000));
    continue;
  }
}
