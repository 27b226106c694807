/** Union of Twilio's and AWS End User Messaging's default keywords (contract, "Opt-out"). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REMOVE', 'REVOKE', 'ARRET', 'TD']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

export type ConsentChange = 'opt-out' | 'opt-in';

export function consentChange(body: string): ConsentChange | undefined {
  const word = body.trim().toUpperCase();
  if (OPT_OUT.has(word)) return 'opt-out';
  if (OPT_IN.has(word)) return 'opt-in';
  return undefined;
}
