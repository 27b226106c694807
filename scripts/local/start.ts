import { runMigrations, describeMigrationRun } from '../../shared/store/migrations/runner';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDynamoDbLocal, JavaMissingError, type RunningDynamoDb } from './dynamodb-local';
import { createTable } from './create-table';
import { LocalAuth } from './local-auth';

// This process is the local "Lambda environment": set before the handlers' modules load (dynamic imports below).
// Node 20 runs the local stack (the AWS SDK's notice about Node 22 is not for it); CloudWatch metrics mean nothing on a laptop.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'WARN';
process.env.METRICS_DISABLED ??= 'true';
process.env.TABLE_NAME ??= 'SmsCrm';
const { startLocalServer } = await import('./server');
const { seedDemo, alreadySeeded, demo, demoSellers } = await import('./seed');
const { ensureConsoleBuilt } = await import('./console-files');
const { synthesize, LOCAL_DEPLOYMENT_CONTEXT } = await import('./synth/synthesize');
const { startSynthStack } = await import('./synth/synth-stack');

/**
 * `npm start [-- --port N] [-- --seed] [-- --data DIR] [-- --synth [--cdk-out DIR] [--logs]]`: the whole system on this
 * machine; with `--synth`, from the bundles and template `cdk synth` writes. With `--data DIR`, the table (DynamoDB
 * Local's database file), stored files, the stream readers' positions and the local signing keys stay in DIR across
 * restarts; without it everything is in memory.
 */
async function main() {
  const args = process.argv.slice(2);
  const portArg = args.includes('--port') ? args[args.indexOf('--port') + 1] : undefined;
  const port = Number(portArg ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port must be a port number, not "${portArg}"`);
  const seed = args.includes('--seed');
  const synth = args.includes('--synth');
  const cdkOut = args.includes('--cdk-out') ? args[args.indexOf('--cdk-out') + 1]! : 'cdk.out';
  const twilioAuthToken = process.env.TWILIO_AUTH_TOKEN ?? 'local-twilio-token';
  const dataArg = args.includes('--data') ? args[args.indexOf('--data') + 1] : undefined;
  if (args.includes('--data') && (!dataArg || dataArg.startsWith('--'))) fail('--data needs a folder: npm start -- --data ./local-data');
  const dataDir = dataArg ? resolve(dataArg) : undefined;
  // Tokens and cursors issued before a restart keep working on a persistent stack: its keys are kept with its data.
  const jwtSecret = process.env.LOCAL_JWT_SECRET ?? (dataDir ? keptSecret(join(dataDir, 'keys', 'jwt-secret')) : randomBytes(32).toString('hex'));
  if (dataDir) process.env.CURSOR_SIGNING_KEY ??= keptSecret(join(dataDir, 'keys', 'cursor-key'));

  if (!(await portFree(port))) fail(`Port ${port} is already in use. Stop the other process, or start on another port: PORT=${port + 1} npm start`);

  let dynamo: RunningDynamoDb;
  try {
    dynamo = await startDynamoDbLocal({ timeoutMs: 60_000, ...(dataDir ? { dbPath: join(dataDir, 'dynamodb') } : {}) });
  } catch (error) {
    if (error instanceof JavaMissingError) fail(error.message);
    fail(`DynamoDB Local failed to start: ${(error as Error).message.split('\n')[0]}`);
  }
  const table = 'SmsCrm';
  let stack: { url: string; deps: Awaited<ReturnType<typeof startLocalServer>>['deps']; stop(): Promise<void> } | undefined;
  let synthStack: Awaited<ReturnType<typeof startSynthStack>> | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stack?.stop().catch(() => undefined);
    await dynamo.stop();
    // Exit once what was logged has reached the terminal or pipe (process.exit alone can cut it short).
    process.stdout.write('', () => process.exit(code));
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));
  dynamo.process.once('exit', () => {
    if (!stopping) {
      console.error('DynamoDB Local stopped unexpectedly; shutting down.');
      void stop(1);
    }
  });

  try {
    await ensureConsoleBuilt();
    if (synth) {
      console.log(`Synthesizing the stack into ${cdkOut} (cdk synth, bundles included)…`);
      // The local stack's quiet hours (QUIET_HOURS, off unless set) become the deployment's, as an operator would set them.
      await synthesize(cdkOut, { ...LOCAL_DEPLOYMENT_CONTEXT, quietHours: process.env.QUIET_HOURS ?? 'off', ...(process.env.SCHEDULE_MIN_LEAD_SECONDS ? { scheduleMinLeadSeconds: process.env.SCHEDULE_MIN_LEAD_SECONDS } : {}) });
      stack = synthStack = await startSynthStack({ cdkOut, port, dynamoEndpoint: dynamo.endpoint, jwtSecret, echoLogs: args.includes('--logs'), console: { sellers: seed ? demoSellers : [] }, ...(process.env.CORS_ORIGINS ? { corsOrigins: process.env.CORS_ORIGINS } : {}), ...(dataDir ? { dataDir } : {}) });
    } else {
    await createTable(dynamo.endpoint, table);
    stack = await startLocalServer({
      port, dynamoEndpoint: dynamo.endpoint, table, twilioAuthToken, jwtSecret, console: { sellers: seed ? demoSellers : [] },
      ...(process.env.CORS_ORIGINS ? { corsOrigins: process.env.CORS_ORIGINS } : {}),
      ...(dataDir ? { mediaDir: join(dataDir, 'media'), streamCheckpointDir: join(dataDir, 'streams'), schedulesFile: join(dataDir, 'schedules.json') } : {}),
    });
    // As after a deploy: stored items of earlier releases carried forward (under --synth, the template's custom resource does it).
    console.log(describeMigrationRun(await runMigrations(stack.deps)));
    }
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    console.error(e.code === 'EADDRINUSE' ? `Port ${port} is already in use. Stop the other process, or start on another port: PORT=${port + 1} npm start` : `Local stack failed to start: ${e.message}`);
    await stop(1);
    return;
  }

  console.log(`SMS CRM local stack listening on ${stack.url}`);
  console.log(`Seller console: ${stack.url}/`);
  console.log(`Live updates (WebSocket): ${stack.url.replace(/^http/, 'ws')}/live?token=<JWT>`);
  if (synthStack) console.log(`Running ${synthStack.functions.size} functions from their bundles in ${cdkOut}, each with its template environment; table ${synthStack.deps.table}; Twilio secret unset until --seed (callbacks answer 503)`);
  else console.log(`DynamoDB Local at ${dynamo.endpoint} (${dataDir ? `data in ${dataDir}` : 'in memory'}), table ${table}; Twilio callbacks verified with TWILIO_AUTH_TOKEN=${twilioAuthToken === 'local-twilio-token' ? 'local-twilio-token' : '(from env)'}`);
  if (seed) {
    // A folder that already holds an organisation keeps it as it is: --seed changes nothing stored.
    if (await alreadySeeded(stack.deps)) console.log('\nThe data folder already holds the demo organisation: --seed changes nothing stored.');
    else await seedDemo(stack.deps, synthStack ? { sendingProvider: 'eum' } : {});
    // What the README's deploy steps have an operator do after the first deploy.
    synthStack?.setTwilioSecret({ accountSid: 'AClocal', authToken: twilioAuthToken });
    // Under --synth the stack plays the template's user pool (RS256): its tokens, not the shared-secret ones.
    const auth = synthStack?.auth ?? new LocalAuth(jwtSecret);
    const [admin, alice, bob] = await Promise.all([auth.issue('admin', ['admin']), auth.issue('alice'), auth.issue('bob')]);
    console.log('\nDemo organisation loaded: sellers alice, bob, carl (no SMS role); team sales-east; records acme, ada, grace, acme-renewal, linus.');
    console.log(`\nexport BASE=${stack.url}`);
    console.log(`export ADMIN=${admin}`);
    console.log(`export ALICE=${alice}`);
    console.log(`export BOB=${bob}`);
    console.log('\n# Alice sends Ada a templated SMS through the sandbox:');
    console.log(`curl -s -X POST $BASE/messages -H "authorization: Bearer $ALICE" -H 'content-type: application/json' -d '{"record":{"type":"contact","id":"ada"},"from":"${demo.aliceNumber}","templateId":"welcome"}'`);
    console.log('# Ada replies (as the sandbox provider would deliver it):');
    console.log(`curl -s -X POST $BASE/local/provider/inbound -H 'content-type: application/json' -d '{"from":"${demo.adaMobile}","to":"${demo.aliceNumber}","body":"Thanks Alice, call me tomorrow"}'`);
    console.log('# Alice\'s "My SMS" and notifications:');
    console.log(`curl -s $BASE/me/conversations -H "authorization: Bearer $ALICE"`);
    console.log(`curl -s "$BASE/me/notifications?unread=true" -H "authorization: Bearer $ALICE"`);
  }
  console.log('\nPress Ctrl-C to stop.');
}

/** A secret kept in the data folder (created once): tokens and cursors survive a restart of a persistent stack. */
function keptSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(`Local stack failed: ${(error as Error).message}`);
  process.exit(1);
});
