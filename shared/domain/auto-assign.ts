/**
 * Round robin over a team's available salespeople in a fixed order (by id): ticket n goes to the (n mod k)-th of the k
 * available, or, when that one holds too many unanswered conversations (`hasRoom`), to the next available one that does,
 * wrapping around. With the same members available, consecutive tickets go to each in turn (1,000 over 5: 200 each).
 * Asks `hasRoom` about as few members as it can, in turn order.
 */
export async function memberForTicket(availableIds: readonly string[], ticket: number, hasRoom: (id: string) => Promise<boolean>): Promise<string | undefined> {
  const ring = [...new Set(availableIds)].sort();
  if (ring.length === 0) return undefined;
  const start = (((ticket - 1) % ring.length) + ring.length) % ring.length;
  for (let i = 0; i < ring.length; i++) {
    const id = ring[(start + i) % ring.length]!;
    if (await hasRoom(id)) return id;
  }
  return undefined;
}
