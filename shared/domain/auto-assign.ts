/**
 * Round robin over a team's salespeople in a fixed order (by id): the next one after the member who got the last
 * conversation who qualifies (`eligible`), wrapping around. Members who joined or left change the ring, not the turn:
 * the turn is remembered as a member, not an index. Asks about as few members as it can, in turn order.
 */
export async function nextInTurn(memberIds: readonly string[], last: string | undefined, eligible: (id: string) => Promise<boolean>): Promise<string | undefined> {
  const ring = [...new Set(memberIds)].sort();
  if (ring.length === 0) return undefined;
  const after = last === undefined ? 0 : ring.findIndex((id) => id > last);
  const start = after < 0 ? 0 : after;
  for (let i = 0; i < ring.length; i++) {
    const id = ring[(start + i) % ring.length]!;
    if (await eligible(id)) return id;
  }
  return undefined;
}
