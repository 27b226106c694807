/**
 * `npm run fixtures:releases [-- <name>…]`: the stored items of each earlier release, exactly as that release's
 * code wrote them. For each release (a commit, see RELEASES) it checks the commit out beside the project
 * (`.scratch/releases/<name>`, `git worktree`), installs its locked packages, starts *its* `npm start -- --seed`,
 * plays one working day through its own API (inbound messages, sends, a template, an opt-out, a read, a hand-off,
 * a move, a notification read), lets its stream readers finish, and scans its table into
 * `test/fixtures/releases/<name>.json` (DynamoDB JSON, sorted by key). The data is kept in the repository: the
 * upgrade test loads it, runs the migrations and reads it through today's API.
 *
 * A future change of an item's shape adds the release that wrote the old shape here, and runs this once.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { freePort } from './local/dynamodb-local';

/** Every release since the first: the last commit of each round, in order. */
export const RELEASES = [
  { name: 'r1-2026-11-25', commit: '103140d', summary: 'round 1: inbound routing, sends, delivery reports, notifications, templates' },
  { name: 'r2-2026-11-25', commit: '67f43d6', summary: 'round 2: read state, unread pointers, timeline, consent history, record lookup, erasure' },
  { name: 'r3-2026-11-29', commit: '7e72230', summary: 'round 3: names on conversations, assignee listing, live channel, MMS, quiet hours, console' },
  { name: 'r4-2026-12-07', commit: '5e72be5', summary: 'round 4: sessions, migrations, team feeds, unread counters (before send later)' },
  { name: 'r5-2026-12-07', commit: 'a0b7362', summary: 'round 5, first release: send later, automated SMS steps, availability (before business hours, auto-assignment and response times)' },
] as const;

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'test', 'fixtures', 'releases');
const TABLE = 'SmsCrm';

/** The demo organisation every release seeds (scripts/local/seed.ts has kept these since the first). */
const SEED = { aliceNumber: '+14255550100', teamNumber: '+14255550101', bobNumber: '+14255550102', ada: '+14255550123', linus: '+14255550160' };
const CUSTOMERS = { unknown: '+14255550190', stopper: '+14255550191', manual: '+14255550192' };

async function main() {
  const wanted = process.argv.slice(2);
  mkdirSync(OUT, { recursive: true });
  for (const release of RELEASES.filter((r) => wanted.length === 0 || wanted.includes(r.name))) {
    const dir = join(ROOT, '.scratch', 'releases', release.name);
    if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, release.commit], { cwd: ROOT, stdio: 'inherit' });
    if (!existsSync(join(dir, 'node_modules'))) execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'inherit' });
    console.log(`${release.name} (${release.commit}): starting its local stack`);
    const items = await withReleaseStack(dir, playADay);
    const file = join(OUT, `${release.name}.json`);
    writeFileSync(file, `${JSON.stringify({ release: release.name, commit: release.commit, summary: release.summary, items }, null, 1)}\n`);
    console.log(`${release.name}: ${items.length} items → ${file}`);
  }
}

interface ReleaseStack {
  base: string;
  tokens: { admin: string; alice: string; bob: string };
}

async function withReleaseStack(dir: string, play: (stack: ReleaseStack) => Promise<void>): Promise<Record<string, AttributeValue>[]> {
  const port = await freePort();
  const child: ChildProcess = spawn('npm', ['start', '--', '--seed', '--port', String(port)], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: undefined } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const deadline = Date.now() + 120_000;
    while (!/export BOB=\S+/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the release's stack did not start:\n${output}`);
      await sleep(200);
    }
    const token = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(output)![1]!;
    const endpoint = /DynamoDB Local at (http:\/\/\S+?)[\s,]/.exec(output)?.[1];
    if (!endpoint) throw new Error(`the release's stack did not say where DynamoDB Local is:\n${output}`);
    await play({ base: `http://127.0.0.1:${port}`, tokens: { admin: token('ADMIN'), alice: token('ALICE'), bob: token('BOB') } });
    // The stream readers (notifications, unread pointers, record ownership) finish what the day started.
    await sleep(4_000);
    return await scanAll(endpoint);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
  }
}

async function scanAll(endpoint: string): Promise<Record<string, AttributeValue>[]> {
  const db = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const key = (item: Record<string, AttributeValue>) => `${item.pk?.S}\u0000${item.sk?.S}`;
  return items.sort((a, b) => key(a).localeCompare(key(b)));
}

/** One working day through the release's own API; a route the release did not have yet is skipped. */
async function playADay({ base, tokens }: ReleaseStack): Promise<void> {
  const call = async (method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (response.status >= 300) console.log(`  ${method} ${path}: ${response.status} (skipped)`);
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const inbound = (from: string, to: string, body: string) => call('POST', '/local/provider/inbound', { from, to, body });
  const conversationWith = async (token: string, customer: string) => {
    const page = (await call('GET', '/me/conversations?limit=100', undefined, token)).body as { items: { id: string; customerNumber: string }[] };
    return page.items.find((c) => c.customerNumber === customer)?.id;
  };

  await inbound(SEED.ada, SEED.aliceNumber, 'Hi Alice, is the offer still open?');
  await inbound(CUSTOMERS.unknown, SEED.teamNumber, 'Hello, who handles support?');
  await inbound(SEED.linus, SEED.teamNumber, 'Linus here, any news?');
  await inbound(CUSTOMERS.stopper, SEED.aliceNumber, 'Who is this?');
  await sleep(2_000);
  await call('POST', '/templates', { name: 'Renewal reminder', body: 'Hi {{record.name}}, your renewal is due. {{seller.name}}' }, tokens.admin);
  await call('POST', '/messages', { record: { type: 'contact', id: 'ada' }, from: SEED.aliceNumber, templateId: 'welcome' }, tokens.alice, { 'idempotency-key': 'fixture-welcome' });
  const ada = await conversationWith(tokens.alice, SEED.ada);
  if (ada) {
    await call('POST', `/conversations/${ada}/messages`, { body: 'Yes, until Friday.' }, tokens.alice, { 'idempotency-key': 'fixture-reply' });
    await call('POST', `/conversations/${ada}/read`, undefined, tokens.alice);
  }
  await inbound(CUSTOMERS.stopper, SEED.aliceNumber, 'STOP');
  await call('PUT', `/consent/${encodeURIComponent(CUSTOMERS.manual)}/${encodeURIComponent(SEED.bobNumber)}`, { status: 'opted_out', reason: 'asked on the phone' }, tokens.admin);
  const support = await conversationWith(tokens.alice, CUSTOMERS.unknown);
  if (support) {
    await call('POST', `/conversations/${support}/move`, { record: { type: 'account', id: 'acme' } }, tokens.alice);
    await call('POST', `/conversations/${support}/assign`, { assignedTo: { type: 'seller', id: 'bob' } }, tokens.alice);
  }
  await sleep(2_000);
  const notifications = (await call('GET', '/me/notifications?unread=true', undefined, tokens.bob)).body as { items?: { id: string }[] } | undefined;
  const first = notifications?.items?.[0];
  if (first) await call('POST', `/me/notifications/${first.id}/read`, undefined, tokens.bob);
  if (ada) {
    // Send later (round 5 on): one message that a reply cancels, one that stays scheduled; releases before answer 400.
    const inTwoHours = new Date(Date.now() + 2 * 3600_000).toISOString();
    await call('POST', `/conversations/${ada}/messages`, { body: 'Reminder: the offer ends Friday.', sendAt: inTwoHours }, tokens.alice, { 'idempotency-key': 'fixture-later-canceled' });
    await call('POST', `/conversations/${ada}/messages`, { body: 'Good morning! Ready for Friday?', sendAt: inTwoHours, cancelOnReply: false }, tokens.alice, { 'idempotency-key': 'fixture-later-kept' });
  }
  // An automated SMS step of a CRM sequence, and a seller away (round 5 on).
  await call('POST', '/automations/sms-steps', { record: { type: 'contact', id: 'ada' }, templateId: 'welcome', context: { sequenceId: 'seq-fixture', stepId: 'step-1' }, stepRunId: 'fixture-step-1' }, tokens.admin);
  await call('PUT', '/me/availability', { available: false }, tokens.bob);
  await inbound(SEED.ada, SEED.aliceNumber, 'Thanks! See you Friday.');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
