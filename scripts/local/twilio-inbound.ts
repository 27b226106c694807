import { twilioSignature } from '../../shared/providers/twilio-signature';

/**
 * Posts a Twilio-signed inbound SMS to the local stack, as Twilio would:
 * npx tsx scripts/local/twilio-inbound.ts --from +14255550123 --to +14255550102 --body "Hi Bob"
 */
const args = process.argv.slice(2);
const arg = (name: string, fallback?: string) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const base = arg('base', process.env.BASE ?? 'http://127.0.0.1:3000')!;
const url = `${base.replace(/\/$/, '')}/callbacks/twilio/inbound`;
const fields = {
  MessageSid: arg('sid', `SM${Date.now()}${Math.floor(Math.random() * 1e6)}`)!,
  AccountSid: 'AClocal',
  From: arg('from', '+14255550123')!,
  To: arg('to', '+14255550102')!,
  Body: arg('body', 'Hello from a Twilio customer')!,
  NumMedia: '0',
};
const signature = twilioSignature(process.env.TWILIO_AUTH_TOKEN ?? 'local-twilio-token', url, Object.entries(fields));
const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(fields).toString() });
console.log(response.status, await response.text());
