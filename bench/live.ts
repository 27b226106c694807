import { chromium } from 'playwright-core';
import { createTable } from '../scripts/local/create-table';
import { freePort } from '../scripts/local/dynamodb-local';
import { startLocalServer } from '../scripts/local/server';
import { demo, demoSellers, seedDemo } from '../scripts/local/seed';
import { ensureConsoleBuilt } from '../scripts/local/console-files';
import { median } from './stats';
import { prices } from './prices';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MESSAGES = 20;

/**
 * Runs in the page: resolves with the wall-clock times at which `wanted` first shows in the open thread and in
 * the My SMS row (a MutationObserver, so no polling delay). Plain JavaScript text: the page runs it as given.
 */
const WHEN_SHOWN = `(wanted) => new Promise((resolve) => {
  const found = {};
  const shows = (selector) => Array.from(document.querySelectorAll(selector)).some((el) => (el.textContent || '').includes(wanted));
  const check = () => {
    if (!found.thread && shows('li.message.inbound')) found.thread = Date.now();
    if (!found.row && shows('nav.inbox li')) found.row = Date.now();
    if (found.thread && found.row) { observer.disconnect(); resolve(found); }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  check();
})`;
const IDLE_MS = 60_000;

export interface LiveFigures {
  messages: number;
  /** Callback accepted → the message rendered in the open thread (ms). */
  threadMedianMs: number;
  threadWorstMs: number;
  /** Callback accepted → the row's preview updated in My SMS (ms). */
  rowMedianMs: number;
  rowWorstMs: number;
  /** Frames (PostToConnection calls) per inbound message, for one seller with one tab. */
  framesPerInbound: number;
  /** API requests the console made per inbound message (re-fetching what changed). */
  requestsPerInbound: number;
  idleSeconds: number;
  idleRequests: number;
  idleFrames: number;
}

/**
 * The live channel in a real browser (Debian's Chromium) against the local stack: Bob's console open on a
 * thread, a customer's reply accepted by the callback route, the time until it is on screen; then the open,
 * idle console's requests over a minute.
 */
export async function benchLive(endpoint: string): Promise<LiveFigures> {
  await ensureConsoleBuilt();
  const table = 'bench-live';
  await createTable(endpoint, table);
  const port = await freePort();
  const stack = await startLocalServer({ port, dynamoEndpoint: endpoint, table, twilioAuthToken: 'bench', jwtSecret: 'bench', logNotifications: false, console: { sellers: demoSellers } });
  await seedDemo(stack.deps);
  const base = stack.url;
  const customer = '+14255550177';
  const inbound = (body: string) => fetch(`${base}/local/provider/inbound`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: customer, to: demo.bobNumber, body }) });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    const requests: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === base && url.pathname !== '/config.json' && !url.pathname.startsWith('/assets/') && url.pathname !== '/') requests.push(url.pathname);
    });
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in as Bob Berg' }).click();
    await page.locator('.live-state.live').waitFor();
    await (await inbound('Opening the thread')).text();
    await page.locator('nav.inbox li', { hasText: customer }).getByRole('link').click({ timeout: 10_000 });
    await page.getByText('Opening the thread').waitFor();
    await page.waitForTimeout(1_500);

    const thread: number[] = [];
    const rows: number[] = [];
    const framesBefore = stack.liveSockets.sent.length;
    const requestsBefore = requests.length;
    for (let i = 0; i < MESSAGES; i++) {
      const text = `Live bench reply ${i}`;
      // The browser notes when the text first appears in the thread and in the row (same wall clock as here).
      const seen = page.evaluate(`(${WHEN_SHOWN})(${JSON.stringify(text)})`) as Promise<{ thread: number; row: number }>;
      const sent = Date.now();
      const accepted = await inbound(text);
      if (accepted.status !== 200) throw new Error(`inbound answered ${accepted.status}`);
      const at = await seen;
      thread.push(at.thread - sent);
      rows.push(at.row - sent);
      await page.waitForTimeout(300);
    }
    await page.waitForTimeout(1_500);
    const frames = stack.liveSockets.sent.length - framesBefore;
    const fetched = requests.length - requestsBefore;

    const idleRequestsBefore = requests.length;
    const idleFramesBefore = stack.liveSockets.sent.length;
    await page.waitForTimeout(IDLE_MS);
    return {
      messages: MESSAGES,
      threadMedianMs: median(thread),
      threadWorstMs: Math.max(...thread),
      rowMedianMs: median(rows),
      rowWorstMs: Math.max(...rows),
      framesPerInbound: Number((frames / MESSAGES).toFixed(2)),
      requestsPerInbound: Number((fetched / MESSAGES).toFixed(2)),
      idleSeconds: IDLE_MS / 1000,
      idleRequests: requests.length - idleRequestsBefore,
      idleFrames: stack.liveSockets.sent.length - idleFramesBefore,
    };
  } finally {
    await browser.close();
    await stack.stop();
  }
}

/**
 * What pushing costs next to the polling it replaced, per million inbound messages and per open console:
 * API Gateway WebSocket messages (each frame, under 32 KB, is one) and connection minutes, against the
 * polling console's "My SMS" fetches (HTTP API request + read units), every `pollSeconds`.
 */
export function liveCost(figures: LiveFigures, polling: { readUnits: number; roundTrips: number; pollSeconds: number }) {
  const framesUsd = (figures.framesPerInbound * 1_000_000 * prices.webSocketMessagePerMillion) / 1_000_000;
  const minutesPerDay = 8 * 60;
  const connectionUsdPerConsoleDay = (minutesPerDay * prices.webSocketConnectionMinutePerMillion) / 1_000_000;
  const pollsPerDay = (minutesPerDay * 60) / polling.pollSeconds;
  const pollingUsdPerConsoleDay = pollsPerDay * ((polling.readUnits * prices.dynamoReadRequestUnitPerMillion) / 1_000_000 + prices.httpApiRequestPerMillion / 1_000_000);
  return {
    framesPerMillionInbound: figures.framesPerInbound * 1_000_000,
    framesUsdPerMillionInbound: Number(framesUsd.toFixed(2)),
    connectionUsdPerConsoleDay: Number(connectionUsdPerConsoleDay.toFixed(6)),
    pollingUsdPerConsoleDay: Number(pollingUsdPerConsoleDay.toFixed(6)),
    pollsPerConsoleDay: Math.round(pollsPerDay),
    pollingRoundTripsPerConsoleDay: Math.round(pollsPerDay * polling.roundTrips),
  };
}
