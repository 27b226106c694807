import { afterAll, beforeAll, describe, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConsoleStack, type ConsoleStack } from './harness';
import { aDayOnOneSignIn, revokedMidDraft, TOKEN_SECONDS } from './whole-day';

/**
 * The same day on `npm start -- --synth`: the functions run from the bundles `cdk synth` writes, and the sign-in
 * plays the template's app client (its client id on every renewal and revocation, PKCE-only flows, revocation on).
 */
let stack: ConsoleStack;
const cdkOut = mkdtempSync(join(tmpdir(), 'whole-day-cdk-out-'));

beforeAll(async () => {
  stack = await startConsoleStack({ LOCAL_TOKEN_SECONDS: String(TOKEN_SECONDS) }, { synthOut: cdkOut });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(cdkOut, { recursive: true, force: true });
}, 30_000);

describe('a session that lasts the working day on the synthesized stack (LOCAL_TOKEN_SECONDS=20)', () => {
  it('signed in at the start, the console still sends, receives live replies and reads notifications a minute later', () => aDayOnOneSignIn(stack, '+14255550181', 'synth'), 150_000);

  it('a revoked session asks to sign in again, in Swedish and English, and the draft survives', async () => {
    await revokedMidDraft(stack, 'sv', '+14255550182');
    await revokedMidDraft(stack, 'en', '+14255550183');
  }, 150_000);
});
