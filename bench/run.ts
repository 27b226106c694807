import './env';
import { writeFileSync, mkdirSync } from 'node:fs';
import { startDynamoDbLocal } from '../scripts/local/dynamodb-local';
import { benchInbound } from './inbound';
import { benchBundles, BUNDLES_DIR, initBreakdown, timeInit } from './bundles';
import { benchNotifier, benchOutbound } from './outbound-and-notifier';
import { benchThroughput } from './throughput';
import { costPerMillion, mmsCostPerMillion, outboundMmsCostPerMillion } from './cost';
import { benchInbox } from './inbox';
import { benchEvents } from './events';
import { firstRequestOverhead } from './cold-start';
import { prices } from './prices';
import { benchLive, liveCost } from './live';
import { benchTeams, benchUnreadCost } from './teams';
import { benchScheduled } from './scheduled';
import { benchTeamInbox } from './team-inbox';

const table = (headers: string[], rows: (string | number)[][]) =>
  [`| ${headers.join(' | ')} |`, `|${headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** `npm run bench`: every figure measured in one run, side by side, on one DynamoDB Local. */
async function main() {
  const started = Date.now();
  const dynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  try {
    const bundles = await benchBundles();
    results.bundles = bundles;
    console.log('## Function bundles (esbuild, minified ESM, AWS SDK bundled in, split at dynamic imports)\n');
    console.log(table(['function', 'all chunks (KB)', 'loaded at start (KB)', 'module init (ms, median of 7, fresh Node, uncontended vCPU)', 'unpinned (ms)'], bundles.map((b) => [b.fn, (b.bytes / 1024).toFixed(1), (b.eagerBytes / 1024).toFixed(1), b.initMs, b.unpinnedInitMs])));
    const slowest = [...bundles].sort((a, b) => b.initMs - a.initMs)[0]!;
    const breakdown = await initBreakdown(slowest);
    const sourceMaps = timeInit(`${BUNDLES_DIR}/${slowest.fn}/index.mjs`, ['--enable-source-maps']);
    results.initBreakdown = { fn: slowest.fn, parts: breakdown, withEnableSourceMapsMs: sourceMaps };
    console.log(`\n## What ${slowest.fn}'s module init spends its time on (CPU profile, unminified build, median of 5)\n`);
    console.log(table(['part', 'ms', 'KB loaded at start (minified)'], breakdown.map((p) => [p.part, p.ms, p.eagerKb || ''])));
    console.log(`\nThe same init with NODE_OPTIONS=--enable-source-maps: ${sourceMaps} ms (without: ${slowest.initMs} ms).`);

    // First on the fresh DynamoDB Local: both rates measured back to back on an empty database.
    const throughput = await benchThroughput(dynamo.endpoint);
    results.throughput = throughput;
    console.log('\n## Local end-to-end inbound throughput (autocannon, 8 connections, 10 s, loopback)\n');
    console.log(
      table(
        ['DynamoDB Local raw PutItem / s', 'inbound messages routed / s', 'ratio (goal ≥ 0.333)', 'non-2xx', 'errors'],
        [[throughput.rawPutsPerSecond, throughput.inboundPerSecond, throughput.ratio, throughput.non2xx, throughput.errors]],
      ),
    );

    const inbound = await benchInbound(dynamo.endpoint, [1, 10, 100, 1000]);
    results.inbound = inbound.figures;
    console.log('\n## Inbound routing per message (DynamoDB Local; capacity modelled from item sizes)\n');
    console.log(
      table(
        ['records sharing the number', 'round trips / message', 'RCU / message', 'WCU / message', 'latency (ms)', 'messages / s (8 in flight)'],
        inbound.figures.map((f) => [f.records, f.roundTripsPerMessage, f.readUnitsPerMessage, f.writeUnitsPerMessage, f.latencyMs, f.messagesPerSecond]),
      ),
    );

    const notifier = await benchNotifier(dynamo.endpoint, inbound.table, inbound.messages);
    const outbound = await benchOutbound(dynamo.endpoint, inbound.table);
    results.notifier = notifier;
    results.outbound = outbound;
    console.log('\n## Per message, other paths\n');
    console.log(
      table(
        ['path', 'round trips', 'RCU', 'WCU', 'wall time (ms)', 'SNS publishes'],
        [
          ['outbound send (sandbox provider)', outbound.roundTrips, outbound.readUnits, outbound.writeUnits, outbound.latencyMs, 0],
          ['delivery report (delivered), per message', outbound.deliveryReport.roundTrips, outbound.deliveryReport.readUnits, outbound.deliveryReport.writeUnits, outbound.deliveryReport.latencyMs, 0],
          ['notifier, per inbound message', notifier.roundTrips, notifier.readUnits, notifier.writeUnits, notifier.latencyMs, notifier.snsPublishes ?? 0],
        ],
      ),
    );

    const scheduledFigures = await benchScheduled(dynamo.endpoint, inbound.table);
    results.scheduled = scheduledFigures;
    console.log('\n## Send later, per scheduled message (local scheduler; provider time excluded)\n');
    console.log(
      table(
        ['step', 'round trips', 'RCU', 'WCU', 'wall time (ms)'],
        [
          ['schedule (POST /messages with sendAt)', scheduledFigures.schedule.roundTrips, scheduledFigures.schedule.readUnits, scheduledFigures.schedule.writeUnits, scheduledFigures.schedule.latencyMs],
          ['fire (checks again, claim, send, record)', scheduledFigures.fire.roundTrips, scheduledFigures.fire.readUnits, scheduledFigures.fire.writeUnits, scheduledFigures.fire.latencyMs],
        ],
      ),
    );
    console.log(`\nDelay from scheduledFor to the provider call here: median ${scheduledFigures.delayMs.median} ms, worst ${scheduledFigures.delayMs.worst} ms (${scheduledFigures.messages} messages). Cost per million scheduled messages: DynamoDB $${scheduledFigures.costPerMillion.dynamoUsd}, Lambda $${scheduledFigures.costPerMillion.lambdaUsd}, EventBridge Scheduler $${scheduledFigures.costPerMillion.schedulerUsd}, HTTP API $${scheduledFigures.costPerMillion.apiUsd}: $${scheduledFigures.costPerMillion.totalUsd}.`);

    // Its own DynamoDB Local too: seeding 30,000 bucket writes behind everything the benches above wrote took over ten
    // minutes in the shared one.
    const teamInboxDynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
    const teamInbox = await benchTeamInbox(teamInboxDynamo.endpoint).finally(() => teamInboxDynamo.stop());
    results.teamInbox = teamInbox;
    console.log('\n## Team inboxes: business hours, the after-hours reply, auto-assignment, response times (per message)\n');
    const path = (name: string, f: { roundTrips: number; readUnits: number; writeUnits: number; latencyMs: number }) => [name, f.roundTrips, f.readUnits, f.writeUnits, f.latencyMs];
    console.log(
      table(
        ['path', 'round trips', 'RCU', 'WCU', 'wall time (ms)'],
        [
          path('inbound, new conversation, team number with hours, auto-assigned (5 members)', teamInbox.newConversationAutoAssigned),
          path('the same with maxOpen (unanswered conversations counted)', teamInbox.newConversationMaxOpen),
          path('inbound after hours, the reply becomes due', teamInbox.afterHoursDue),
          path('inbound after hours, same closed period (no second reply)', teamInbox.afterHoursRepeat),
          path('the after-hours reply (scheduled-send, from the stream)', teamInbox.afterHoursReply),
          path('a seller\'s reply that ends a wait (with its response-time buckets)', teamInbox.replyWithResponseTime),
        ],
      ),
    );
    const r = teamInbox.report;
    console.log(`\nGET /reports/response-times over ${r.days} days with ${r.conversations.toLocaleString('en')} conversations (${r.sellers} sellers, 2 teams):`);
    console.log(
      table(
        ['caller', 'round trips', 'RCU', 'wall time (ms)'],
        [
          ['admin, per seller', r.admin.roundTrips, r.admin.readUnits, r.admin.latencyMs],
          ['admin, per team', r.adminTeams.roundTrips, r.adminTeams.readUnits, r.adminTeams.latencyMs],
          ['a seller (own row)', r.seller.roundTrips, r.seller.readUnits, r.seller.latencyMs],
        ],
      ),
    );

    const teams = await benchTeams(dynamo.endpoint);
    results.teams = teams;
    console.log('\n## The notifier per inbound message on a team-assigned conversation (5 members online)\n');
    console.log(
      table(
        ['team members', 'round trips', 'RCU', 'WCU', 'SNS publishes', 'PostToConnection calls', 'most writes to one partition key'],
        teams.map((f) => [f.members, f.roundTrips, f.readUnits, f.writeUnits, f.snsPublishes, f.postToConnection, `${f.hottestWrites} (${f.hottestKey})`]),
      ),
    );
    const unreadCost = await benchUnreadCost(dynamo.endpoint);
    results.unreadCost = unreadCost;
    console.log('\n## The bell at 0 and 10,000 unread notifications (half the seller\'s own, half their team\'s)\n');
    console.log(
      table(
        ['unread', 'count: round trips', 'count: RCU', 'read-all: round trips', 'read-all: RCU', 'read-all: WCU', 'first unread page: round trips', 'first unread page: RCU'],
        unreadCost.map((f) => [f.unread, f.count.roundTrips, f.count.readUnits, f.readAll.roundTrips, f.readAll.readUnits, f.readAll.writeUnits, f.firstUnreadPage.roundTrips, f.firstUnreadPage.readUnits]),
      ),
    );

    const events = await benchEvents(dynamo.endpoint, inbound.table);
    results.events = events;
    console.log('\n## Events to the CRM (the publisher over the stream of every message above)\n');
    console.log(
      table(
        ['events / inbound message', 'events / outbound message (sent + delivered)', 'PutEvents calls / 100 messages', 'events / PutEvents call', 'EventBridge USD / million messages'],
        [[events.perInbound, events.perOutbound, events.putEventsCallsPer100Messages, events.eventsPerCall, events.usdPerMillionMessages]],
      ),
    );

    const first = firstRequestOverhead(`${BUNDLES_DIR}/seller-api/index.mjs`, dynamo.endpoint, inbound.table, 'seller-0');
    results.coldStart = { sellerApi: first };
    console.log('\n## Cold start of seller-api against DynamoDB Local (fresh Node, median of 7)\n');
    console.log(table(['module init (ms)', 'first request (ms)', 'warm request (ms)', 'first-request overhead (ms)'], [[first.initMs, first.firstMs, first.warmMs, first.overheadMs]]));

    const inbox = await benchInbox(dynamo.endpoint, [100, 1000, 10_000]);
    results.inbox = inbox;
    console.log('\n## "My SMS", first page (seller in 3 teams, 10 unread conversations spread over the range)\n');
    console.log(
      table(
        ['visible conversations', 'list: round trips', 'list: RCU', 'list: latency (ms)', 'unread=true: round trips', 'unread=true: RCU', 'unread=true: latency (ms)', 'unread=true: items'],
        inbox.map((f) => [f.conversations, f.list.roundTrips, f.list.readUnits, f.list.latencyMs, f.unread.roundTrips, f.unread.readUnits, f.unread.latencyMs, f.unread.items]),
      ),
    );

    // Its own, fresh DynamoDB Local: the local stream poller's GetRecords slows with everything the benches above
    // wrote into the shared one (DynamoDB Local keeps every table's stream in one store), which AWS does not.
    const liveDynamo = await startDynamoDbLocal({ timeoutMs: 60_000 });
    const live = await benchLive(liveDynamo.endpoint).finally(() => liveDynamo.stop());
    const pollingFigures = inbox.find((f) => f.conversations === 1000)!.list;
    const pushing = liveCost(live, { readUnits: pollingFigures.readUnits, roundTrips: pollingFigures.roundTrips, pollSeconds: 15 });
    results.live = { ...live, cost: pushing };
    console.log(`\n## Live updates in a real browser (Debian's Chromium, local stack, ${live.messages} replies, one open thread)\n`);
    console.log(
      table(
        ['callback → thread, median (ms)', 'worst (ms)', 'callback → My SMS row, median (ms)', 'worst (ms)', 'frames / inbound message', 'API requests / inbound message', `idle console: requests in ${live.idleSeconds} s`, 'idle frames'],
        [[live.threadMedianMs, live.threadWorstMs, live.rowMedianMs, live.rowWorstMs, live.framesPerInbound, live.requestsPerInbound, live.idleRequests, live.idleFrames]],
      ),
    );
    console.log('\n## Pushing against the polling it replaced (USD; a console open 8 h a day; polling every 15 s, its slowest)\n');
    console.log(
      table(
        ['PostToConnection calls / million inbound', 'WebSocket messages USD / million inbound', 'connection minutes USD / console-day', 'polling "My SMS" USD / console-day', 'polls / console-day', 'polling round trips / console-day'],
        [[pushing.framesPerMillionInbound, pushing.framesUsdPerMillionInbound, pushing.connectionUsdPerConsoleDay, pushing.pollingUsdPerConsoleDay, pushing.pollsPerConsoleDay, pushing.pollingRoundTripsPerConsoleDay]],
      ),
    );

    const typical = inbound.figures.find((f) => f.records === 10)!;
    const inboundCapacity = { roundTrips: typical.roundTripsPerMessage, readUnits: typical.readUnitsPerMessage, writeUnits: typical.writeUnitsPerMessage, latencyMs: typical.latencyMs };
    const costs = [
      costPerMillion('inbound (10 records share the number; routing + notifier + fan-out)', { capacity: [inboundCapacity, notifier], lambdaInvocations: 2, snsPublishes: notifier.snsPublishes ?? 0, viaHttpApi: true, crmEvents: events.perInbound }),
      costPerMillion('outbound (send + delivery report; provider fees excluded)', { capacity: [outbound, outbound.deliveryReport], lambdaInvocations: 2, snsPublishes: 0, viaHttpApi: true, crmEvents: events.perOutbound }),
    ];
    results.cost = costs;
    console.log('\n## Cost per million messages (USD, us-east-1 list prices in bench/prices.ts)\n');
    console.log(table(['flow', 'DynamoDB', 'Lambda', 'SNS', 'API Gateway', 'EventBridge (CRM events)', 'total'], costs.map((c) => [c.flow, c.dynamoUsd, c.lambdaUsd, c.snsUsd, c.apiUsd, c.eventBridgeUsd, c.totalUsd])));
    const mms = [250, 1024].map(mmsCostPerMillion);
    results.mmsCost = mms;
    console.log(`\n## MMS file copies per million files (S3 Standard, $${prices.s3StandardGbMonth} per GB-month)\n`);
    console.log(table(['average file (KB)', 'stored (GB)', 'PUT (once)', 'storage per month', 'one download each'], mms.map((m) => [m.averageKb, m.storedGb, m.putUsd, m.storageUsdPerMonth, m.downloadUsd])));
    const outboundMms = [250, 1024].map(outboundMmsCostPerMillion);
    results.outboundMmsCost = outboundMms;
    console.log('\n## Outbound MMS per million messages of one file (USD; S3 requests and storage; provider fees per message, US, before carrier fees)\n');
    console.log(table(['average file (KB)', 'S3 requests (upload, read, copy, provider fetch, one download)', 'uploads kept a day', 'sent files, storage per month', 'Twilio fees', 'End User Messaging fees'], outboundMms.map((m) => [m.averageKb, m.s3RequestsUsd, m.uploadsForADayUsd, m.storageUsdPerMonth, m.twilioFeesUsd, m.eumFeesUsd])));
  } finally {
    await dynamo.stop();
  }
  results.seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\n(bench finished in ${results.seconds} s)`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/latest.json', JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
