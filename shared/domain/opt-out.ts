/** Union of Twilio's and AWS End User Messaging's default keywords (contract, "Opt-out"). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REMOVE', 'REVOKE', 'ARRET', 'TD']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

export type ConsentChange = 'opt-out' | 'opt-in';

export function consentChange(body: string): ConsentChange | undefined {
  return consentKeyword(body)?.change;
}

/** The keyword a message consists of, as written in upper case, and the change it asks for. */
export function consentKeyword(body: string): { keyword: string; change: ConsentChange } | undefined {
  const word = body.trim().toUpperCase();
  if (OPT_OUT.has(word)) return { keyword: word, change: 'opt-out' };
  if (OPT_IN.has(word)) return { keyword: word, change: 'opt-in' };
  return undefined;
}

/** One entry of a customer's consent history with a business number: the legal record of an opt-out or opt-in. */
export interface ConsentRecord {
  id: string;
  status: 'opted_out' | 'opted_in';
  at: string;
  source: 'keyword' | 'manual';
  keyword?: string;
  reason?: string;
  by?: string;
}
