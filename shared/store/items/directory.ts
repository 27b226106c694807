import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { isSalesperson } from '../../domain/visibility';
import { keys, type Principal } from '../keys';
import { HttpError } from '../../domain/errors';
import { batchGetAll, isConditionFailure, isTransactionConditionFailure, queryAll } from '../dynamo-helpers';
import type { ProviderName } from '../../domain/types';
import { feedHeads, joinFeedItem } from './team-feed';
import type { AutoAssign, AutoReply } from '../../domain/directory';
import type { BusinessHours } from '../../domain/business-hours';

export type { ProviderName };

export interface Seller {
  id: string;
  name: string;
  teamIds: string[];
  roles: string[];
}
export interface Team {
  id: string;
  name: string;
  autoAssign?: AutoAssign;
}
export interface BusinessNumber {
  number: string;
  assignedTo: Principal;
  /** The assignee's display name when the number was assigned: new conversations on it carry it. */
  assigneeName?: string;
  provider: ProviderName;
  label?: string;
  /** Opening hours in the number's own zone; outside them an inbound message may get `autoReply`. */
  businessHours?: BusinessHours;
  autoReply?: AutoReply;
}

export class DirectoryStore {
  constructor(
    private readonly db: Db,
    private readonly table: string,
  ) {}

  async getSeller(sellerId: string): Promise<Seller | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.seller(sellerId) }));
    return Item ? toSeller(Item) : undefined;
  }

  async getSellers(sellerIds: string[]): Promise<Seller[]> {
    const items = await batchGetAll(this.db, this.table, [...new Set(sellerIds)].map((id) => keys.seller(id)));
    return items.map(toSeller);
  }

  /** Upserts a seller and keeps one membership item per team, so a team's members are one Query. */
  async putSeller(seller: Seller): Promise<Seller> {
    const previous = await this.getSeller(seller.id);
    const teamIds = [...new Set(seller.teamIds)];
    const removed = (previous?.teamIds ?? []).filter((t) => !teamIds.includes(t));
    // A seller who joins a team starts at its feed's end: what the team was told before is not theirs.
    const joined = teamIds.filter((t) => !(previous?.teamIds ?? []).includes(t));
    const heads = await feedHeads(this.db, this.table, joined);
    const at = new Date().toISOString();
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table,
                Item: { ...keys.seller(seller.id), kind: 'seller', id: seller.id, name: seller.name, teamIds, roles: [...new Set(seller.roles)], ...(isSalesperson(seller) ? keys.assigneeListing(seller.name, 'seller', seller.id) : {}) },
              },
            },
            ...teamIds.map((teamId) => ({
              ConditionCheck: {
                TableName: this.table,
                Key: keys.team(teamId),
                ConditionExpression: 'attribute_exists(pk)',
              },
            })),
            ...teamIds.map((teamId) => ({
              // `salesperson`: a team notification's publish splits members by it without reading 500 profiles.
              Put: { TableName: this.table, Item: { ...keys.teamMember(teamId, seller.id), kind: 'membership', teamId, sellerId: seller.id, salesperson: isSalesperson(seller) } },
            })),
            ...removed.map((teamId) => ({ Delete: { TableName: this.table, Key: keys.teamMember(teamId, seller.id) } })),
            ...joined.map((teamId) => joinFeedItem(this.table, seller.id, teamId, heads.get(teamId)!, at)),
          ],
        }),
      );
    } catch (error) {
      if (isTransactionConditionFailure(error)) {
        throw new HttpError('ValidationError', 'teamIds: every team must exist before a seller joins it', { teamIds });
      }
      throw error;
    }
    return { ...seller, teamIds };
  }

  async getTeam(teamId: string): Promise<Team | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.team(teamId) }));
    return Item ? toTeam(Item) : undefined;
  }

  async putTeam(team: Team): Promise<Team> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: this.table, Item: { ...keys.team(team.id), kind: 'team', ...team, ...keys.assigneeListing(team.name, 'team', team.id) } } }],
      }),
    );
    return team;
  }

  /**
   * Migration: a seller (with the salesperson role) or team stored before the assignee listing existed gets its
   * entry, unless it changed meanwhile (its next write lists it anyway). True when it was added.
   */
  async listOlderAssignee(item: Record<string, unknown>): Promise<boolean> {
    const type = item.kind === 'seller' ? 'seller' : item.kind === 'team' ? 'team' : undefined;
    if (!type || item.gsi1pk || typeof item.name !== 'string') return false;
    if (type === 'seller' && !isSalesperson({ roles: (item.roles as string[] | undefined) ?? [] })) return false;
    const listing = keys.assigneeListing(item.name, type, item.id as string);
    return this.conditionalUpdate({
      Key: type === 'seller' ? keys.seller(item.id as string) : keys.team(item.id as string),
      UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi1pk) AND #name = :name',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':pk': listing.gsi1pk, ':sk': listing.gsi1sk, ':name': item.name },
    });
  }

  /** Migration: a business number stored before numbers carried their assignee's name gets it (new conversations show it). */
  async nameOlderNumberAssignee(item: Record<string, unknown>): Promise<boolean> {
    if (item.kind !== 'number' || item.assigneeName) return false;
    const name = await this.principalName(item.assignedTo as Principal);
    if (!name) return false;
    return this.conditionalUpdate({
      Key: keys.number(item.number as string),
      UpdateExpression: 'SET assigneeName = :name',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(assigneeName) AND assignedTo = :assignee',
      ExpressionAttributeValues: { ':name': name, ':assignee': item.assignedTo },
    });
  }

  private async conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({ TableName: this.table, ...input }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Salesperson sellers and teams whose name starts with `prefix` (any case), by name: whom a conversation can go to. */
  async assigneesNamed(prefix: string, limit: number): Promise<{ type: 'seller' | 'team'; id: string; name: string }[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.assigneeListingPartition, ':prefix': prefix.toLocaleLowerCase('en') },
        Limit: limit,
      }),
    );
    // By name as people read it (accents after their base letter), not by the index's byte order.
    return (out.Items ?? [])
      .map((item) => ({ type: item.kind === 'team' ? ('team' as const) : ('seller' as const), id: item.id as string, name: item.name as string }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
  }

  /**
   * A team's members and whether each holds the salesperson role (memberships written before round 4 do not say:
   * their profiles are read).
   */
  async teamMembersWithRoles(teamId: string): Promise<{ sellerId: string; salesperson: boolean }[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.team(teamId).pk, ':prefix': keys.teamMembersPrefix() },
      ProjectionExpression: 'sellerId, salesperson',
    });
    const unknown = items.filter((item) => typeof item.salesperson !== 'boolean').map((item) => item.sellerId as string);
    const profiles = new Map((unknown.length > 0 ? await this.getSellers(unknown) : []).map((seller) => [seller.id, isSalesperson(seller)]));
    return items.map((item) => ({ sellerId: item.sellerId as string, salesperson: typeof item.salesperson === 'boolean' ? item.salesperson : (profiles.get(item.sellerId as string) ?? false) }));
  }

  async teamMemberIds(teamId: string): Promise<string[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.team(teamId).pk, ':prefix': keys.teamMembersPrefix() },
      ProjectionExpression: 'sellerId',
    });
    return items.map((item) => item.sellerId as string);
  }

  async getNumber(e164: string): Promise<BusinessNumber | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.number(e164) }));
    return Item ? toNumber(Item) : undefined;
  }

  /**
   * Upserts a business number. When it moves to another seller or team, its conversations move
   * with it (their `assignedTo` decides visibility and routing rule 1).
   */
  async putNumber(input: BusinessNumber): Promise<BusinessNumber> {
    const [previous, assigneeName] = await Promise.all([this.getNumber(input.number), this.principalName(input.assignedTo)]);
    const number: BusinessNumber = { ...input, ...(assigneeName ? { assigneeName } : {}) };
    const assigneeKey = number.assignedTo.type === 'seller' ? keys.seller(number.assignedTo.id) : keys.team(number.assignedTo.id);
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: this.table, Key: assigneeKey, ConditionExpression: 'attribute_exists(pk)' } },
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.number(number.number),
                  ...keys.numberInAssigneeList(number.assignedTo, number.number),
                  kind: 'number',
                  ...number,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (isTransactionConditionFailure(error)) {
        throw new HttpError('ValidationError', `assignedTo: ${number.assignedTo.type} ${number.assignedTo.id} does not exist`);
      }
      throw error;
    }
    if (previous && !samePrincipal(previous.assignedTo, number.assignedTo)) await this.reassignConversations(number.number, previous.assignedTo, number.assignedTo, assigneeName ?? number.assignedTo.id);
    return number;
  }

  /** A seller's or team's display name; undefined when there is no such seller or team. */
  async principalName(principal: Principal): Promise<string | undefined> {
    return principal.type === 'seller' ? (await this.getSeller(principal.id))?.name : (await this.getTeam(principal.id))?.name;
  }

  /** Moves the conversations on `businessNumber` from the previous assignee's list (gsi2) to the new one's. */
  private async reassignConversations(businessNumber: string, from: Principal, assignee: Principal, assigneeName: string): Promise<void> {
    const conversations = await queryAll(this.db, {
      TableName: this.table,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      FilterExpression: 'businessNumber = :number',
      ExpressionAttributeValues: { ':pk': keys.conversationsOfAssignee(from), ':number': businessNumber },
    });
    for (const item of conversations) {
      await this.db
        .send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: 'SET assignedTo = :assignee, assigneeName = :name, gsi2pk = :partition',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':assignee': assignee, ':name': assigneeName, ':partition': keys.conversationsOfAssignee(assignee) },
          }),
        )
        .catch((error: unknown) => {
          // Moved or merged meanwhile: it no longer exists under this key.
          if (!isConditionFailure(error)) throw error;
        });
    }
  }

  async numbersOf(assignee: Principal): Promise<BusinessNumber[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.numbersOfAssignee(assignee).gsi1pk },
    });
    return items.map(toNumber);
  }
}

const samePrincipal = (a: Principal, b: Principal) => a.type === b.type && a.id === b.id;

function toSeller(item: Record<string, unknown>): Seller {
  return { id: item.id as string, name: item.name as string, teamIds: (item.teamIds as string[]) ?? [], roles: (item.roles as string[]) ?? [] };
}

function toTeam(item: Record<string, unknown>): Team {
  return { id: item.id as string, name: item.name as string, ...(item.autoAssign ? { autoAssign: item.autoAssign as AutoAssign } : {}) };
}

function toNumber(item: Record<string, unknown>): BusinessNumber {
  return {
    number: item.number as string,
    assignedTo: item.assignedTo as Principal,
    ...(item.assigneeName ? { assigneeName: item.assigneeName as string } : {}),
    provider: item.provider as ProviderName,
    ...(item.label ? { label: item.label as string } : {}),
    ...(item.businessHours ? { businessHours: item.businessHours as BusinessHours } : {}),
    ...(item.autoReply ? { autoReply: item.autoReply as AutoReply } : {}),
  };
}

