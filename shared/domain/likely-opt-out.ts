import { consentKeyword } from './opt-out';

/**
 * Messages that read as an opt-out without being a keyword ("Stop. Thank you", "please stop texting me",
 * "sluta skicka sms"): they opt nobody out (only the exact keywords do, as carriers and providers expect)
 * but a person must see them. The phrases, English and Swedish (README, "Likely opt-outs"):
 *
 * - the bare word, followed only by courtesy or emphasis: "stop.", "STOP!!", "Stop please", "Stop. Thank you",
 *   "stop it", "stop now", "stopp", "stoppa", "sluta", "quit it", "unsubscribe please", "avsluta tack";
 * - anywhere in the message: "stop/quit texting|messaging|sending|contacting|spamming", "unsubscribe me",
 *   "remove me", "remove my number", "take me off (your list)", "opt me out", "don't/do not text|message|
 *   contact|sms me", "no more texts|messages|sms", "leave me alone", "sluta skicka|smsa|sms:a|kontakta|höra av",
 *   "ta bort mig|mitt nummer", "inga fler sms|meddelanden", "vill inte ha fler sms|meddelanden",
 *   "avregistrera mig", "avanmäl mig".
 *
 * Not matched: "Stop by tomorrow?", "stop at the office", "I can't stop smiling", "don't stop", "sluta i tid".
 */
const BARE = /^(?:please |pls |plz )?(?:stop|stopp|stoppa|sluta|quit|end|cancel|unsubscribe|avsluta|avregistrera)(?: (?:it|now|already|please|pls|plz|thanks|thank you|thx|tack|tack så mycket|nu|då))*$/u;

const ANYWHERE: readonly RegExp[] = [
  /\b(?:stop|quit) (?:texting|messaging|sending|contacting|spamming|calling)\b/u,
  /\bunsubscribe me\b/u,
  /\bremove me\b/u,
  /\bremove my (?:number|phone|details)\b/u,
  /\btake me off\b/u,
  /\bopt me out\b/u,
  /\b(?:don'?t|do not|never) (?:text|message|contact|sms|txt) me\b/u,
  /\bno more (?:texts|messages|sms|txts)\b/u,
  /\bleave me alone\b/u,
  /(?:^|\s)sluta (?:skicka|smsa|sms:a|sms|kontakta|höra av|messa|spamma)(?=\s|$)/u,
  /(?:^|\s)ta bort (?:mig|mitt nummer|mitt telefonnummer)(?=\s|$)/u,
  /(?:^|\s)(?:inga|vill inte ha) fler (?:sms|meddelanden)(?=\s|$)/u,
  /(?:^|\s)(?:avregistrera|avanmäl) mig(?=\s|$)/u,
];

/** Lower case, curly apostrophes straightened, punctuation and emoji between words reduced to single spaces. */
export function normalizeForOptOut(body: string): string {
  return body
    .normalize('NFKC')
    .toLocaleLowerCase('sv')
    .replace(/[\u2018\u2019\u02bc]/gu, "'")
    .replace(/[^\p{L}\p{N}':]+/gu, ' ')
    .replace(/(^|\s)'+|'+(\s|$)/gu, '$1$2')
    .trim();
}

/** True for a message that reads as an opt-out but is not one of the contract's keywords. */
export function isLikelyOptOut(body: string): boolean {
  if (consentKeyword(body)) return false;
  const text = normalizeForOptOut(body);
  if (text === '') return false;
  return BARE.test(text) || ANYWHERE.some((phrase) => phrase.test(text));
}
