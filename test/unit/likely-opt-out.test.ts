import { describe, expect, it } from 'vitest';
import { isLikelyOptOut } from '../../shared/domain/likely-opt-out';

/** Likely opt-outs (contract, "Likely opt-out"): phrases a person must see; never an opt-out by themselves. */
describe('likely opt-outs', () => {
  const likely = [
    'Stop. Thank you', 'please stop texting me', 'sluta skicka sms', 'unsubscribe me', 'STOP!!', 'stop please', 'Stop it', 'stop now', 'Stop 🙏',
    'Please stop', 'Remove me from your list', "Don't text me again", 'Do not contact me', 'No more texts please', 'take me off your list', 'Stop texting me!!!',
    'unsubscribe please', 'Leave me alone', 'stopp', 'Stoppa tack', 'Ta bort mig', 'Ta bort mitt nummer', 'Jag vill inte ha fler sms', 'Inga fler meddelanden tack',
    'Sluta smsa mig', 'Sluta kontakta mig!', 'Avregistrera mig', 'sluta', 'opt me out',
    // Every word of the lists, once.
    'quit it', 'end now', 'cancel already', 'unsubscribe pls', 'stop plz', 'stop thanks', 'stop thx', 'stop tack', 'stoppa tack så mycket', 'sluta nu', 'sluta då', 'avsluta', 'avregistrera',
    'quit messaging me', 'stop sending these', 'stop contacting me', 'stop spamming', 'stop calling me', 'remove my phone', 'remove my details please',
    'do not message me', 'never sms me', "dont txt me", 'no more messages', 'no more sms', 'no more txts', 'sluta skicka', 'sluta sms:a mig', 'sluta sms till mig',
    'sluta höra av er', 'sluta messa', 'sluta spamma', 'ta bort mitt telefonnummer', 'vill inte ha fler meddelanden', 'avanmäl mig', 'Please, stop.', 'unsubscribe me now',
    // Curly and straight quotes around or inside words, and Swedish phrases inside a sentence.
    'Don’t text me', "'stop'", '‘Stop please’', "stop' thanks", 'Hej, ta bort mig tack', 'snälla avregistrera mig nu', 'kan ni sluta skicka sms', 'vi vill ta bort mitt nummer tack',
  ];
  const notLikely = [
    'Stop by tomorrow?', "I can't stop smiling", 'stop at the office at 3', "Don't stop", 'Thanks, stop by anytime', 'quitting time!',
    'Hi, is the offer still open?', 'Can you remove the old address from my account?', 'sluta i tid idag', 'Ta bort mötet på fredag', 'Vi ses imorgon', '',
    // The contract's keywords are opt-outs (and opt-ins) themselves, not likely ones.
    'STOP', 'stop', ' Unsubscribe ', 'QUIT', 'START', 'YES',
    // Near misses: other words after the verb, other verbs, other objects.
    'stop the car', 'quit the job', 'end of month report', 'cancel my order please', 'stop texting about the delivery?'.replace('texting', 'talking'), 'remove my old address',
    'do not call me after 5'.replace('call', 'visit'), 'no more questions', 'sluta jobba', 'ta bort bilden', 'inga fler frågor', 'avregistrera bilen', 'stopwatch', 'unsubscribed yesterday',
  ];
  it.each(likely)('"%s" is a likely opt-out', (body) => expect(isLikelyOptOut(body)).toBe(true));
  it.each(notLikely)('"%s" is not', (body) => expect(isLikelyOptOut(body)).toBe(false));
});
