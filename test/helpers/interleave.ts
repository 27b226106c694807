import type { Db } from '../../shared/aws';

type Send = (command: unknown) => Promise<unknown>;

/** A Db whose every command goes through `around`, which decides when (and whether first) to send it. */
export function aroundSend(db: Db, around: (command: unknown, send: Send) => Promise<unknown>): Db {
  const send: Send = (command) => db.send(command as never);
  return new Proxy(db, {
    get: (target, property, receiver) => (property === 'send' ? (command: unknown) => around(command, send) : Reflect.get(target, property, receiver)),
  });
}

/**
 * A Db that runs `racer` just before the first command `match` accepts: a racing write placed
 * exactly between a flow's read and its write. `happened()` tells the test the race took place.
 */
export function racedBefore(db: Db, match: (command: unknown) => boolean, racer: () => Promise<unknown>): { db: Db; happened: () => boolean } {
  let raced = false;
  const wrapped = aroundSend(db, async (command, send) => {
    if (!raced && match(command)) {
      raced = true;
      await racer();
    }
    return send(command);
  });
  return { db: wrapped, happened: () => raced };
}
