import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

/** The layering rules of eslint.config.js, exercised on code placed where it would break them. */
const eslint = new ESLint();
const ruleErrors = async (code: string, filePath: string) =>
  (await eslint.lintText(code, { filePath }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

describe('layering is a lint error', () => {
  it('a domain file importing the store fails the lint', async () => {
    const errors = await ruleErrors("import { keys } from '../store/keys';\nexport const k = keys;\n", 'shared/domain/fixture.ts');
    expect(errors).toEqual(['\'../store/keys\' import is restricted from being used by a pattern. shared/domain is pure: import only from shared/domain and plain libraries.']);
  });

  it('a domain file importing the AWS SDK fails the lint', async () => {
    expect(await ruleErrors("import { GetCommand } from '@aws-sdk/lib-dynamodb';\nexport const g = GetCommand;\n", 'shared/domain/fixture.ts')).toHaveLength(1);
  });

  it('a handler or a flow importing the DynamoDB document client fails the lint', async () => {
    const code = "import { GetCommand } from '@aws-sdk/lib-dynamodb';\nexport const g = GetCommand;\n";
    expect(await ruleErrors(code, 'functions/seller-api/fixture.ts')).toHaveLength(1);
    expect(await ruleErrors(code, 'shared/flows/fixture.ts')).toHaveLength(1);
    expect(await ruleErrors(code, 'shared/store/items/fixture.ts')).toEqual([]);
  });

  it('a provider importing a flow or the store fails the lint', async () => {
    expect(await ruleErrors("import { receiveInbound } from '../flows/receive-inbound';\nexport const r = receiveInbound;\n", 'shared/providers/fixture.ts')).toHaveLength(1);
    expect(await ruleErrors("import { keys } from '../store/keys';\nexport const k = keys;\n", 'shared/providers/fixture.ts')).toHaveLength(1);
    expect(await ruleErrors("import { keys } from '../store/items/message';\nexport const k = keys;\n", 'shared/providers/fixture.ts')).toHaveLength(1);
  });

  it('a domain file importing the domain passes', async () => {
    expect(await ruleErrors("import { preview } from './messages';\nexport const p = preview;\n", 'shared/domain/fixture.ts')).toEqual([]);
  });
});

describe('key formats are pinned (stored data depends on them)', () => {
  it('every key builder produces exactly the format stored in the table', async () => {
    const { keys } = await import('../../shared/store/keys');
    const conversation = { id: '01J0000000000000000000000A', lastMessageAt: '2026-11-01T09:00:00.000Z', record: { type: 'contact' as const, id: 'ada' }, assignedTo: { type: 'team' as const, id: 'east' }, recordOwnerId: 'alice', recordOwningTeamId: 'west' };
    expect({
      seller: keys.seller('alice'),
      team: keys.team('east'),
      teamMember: keys.teamMember('east', 'alice'),
      teamMembersPrefix: keys.teamMembersPrefix(),
      number: keys.number('+14255550100'),
      numbersOfAssignee: keys.numbersOfAssignee({ type: 'team', id: 'east' }),
      numberInAssigneeList: keys.numberInAssigneeList({ type: 'seller', id: 'alice' }, '+14255550100'),
      record: keys.record('contact', 'ada'),
      phoneIndex: keys.phoneIndex('+14255550123', 'lead', 'l1'),
      phonePartition: keys.phonePartition('+14255550123'),
      leadClaim: keys.leadClaim('+14255550123'),
      optOut: keys.optOut('+14255550123', '+14255550100'),
      opportunityLink: keys.opportunityLink('ada', 'o1'),
      conversation: keys.conversation('+14255550123', '+14255550100', 'contact', 'ada'),
      conversationHead: keys.conversationHead(conversation.id),
      conversationIndexes: keys.conversationIndexes(conversation),
      allConversationsShards: keys.allConversationsShards(),
      conversationsOfRecord: keys.conversationsOfRecord('opportunity', 'o1'),
      conversationsOfAssignee: keys.conversationsOfAssignee({ type: 'seller', id: 'alice' }),
      conversationsOfOwnerSeller: keys.conversationsOfOwnerSeller('alice'),
      conversationsOfOwnerTeam: keys.conversationsOfOwnerTeam('east'),
      message: keys.message(conversation.id, '2026-11-01T09:00:00.000Z', 'm1'),
      queuedMessage: keys.queuedMessage('01J0000000000000000000000B', '2026-11-01T09:00:00.000Z'),
      queuedShards: keys.queuedShards(),
      providerMessage: keys.providerMessage('twilio', 'SM1'),
      pendingReport: keys.pendingReport('twilio', 'SM1', 'r1'),
      template: keys.template('welcome'),
      templateList: keys.templateList('Welcome', 'welcome'),
      templateName: keys.templateName('Welcome'),
      notification: keys.notification('alice', 'n1'),
      unreadNotification: keys.unreadNotification('alice', 'n1'),
      unreadPartition: keys.unreadPartition('alice'),
      idempotency: keys.idempotency('alice', 'key-1'),
      readMark: keys.readMark(conversation.id, 'alice'),
      unreadConversation: keys.unreadConversation('alice', conversation.id),
      unreadConversationOrder: keys.unreadConversationOrder('alice', '2026-11-01T09:00:00.000Z', conversation.id),
      unreadConversationsPartition: keys.unreadConversationsPartition('alice'),
      conversationEvent: keys.conversationEvent(conversation.id, '2026-11-01T09:00:00.000Z', 'e1'),
      consentChange: keys.consentChange('+14255550123', '+14255550100', '2026-11-01T09:00:00.000Z', 'c1'),
      consentHistoryPrefix: keys.consentHistoryPrefix('+14255550100'),
      recordNameIndexes: keys.recordNameIndexes({ type: 'contact', id: 'ada', name: ' Åsa Öberg', ownerId: 'alice', owningTeamId: 'east' }),
      recordNamesOfOwnerSeller: keys.recordNamesOfOwnerSeller('alice'),
      recordNamesOfOwnerTeam: keys.recordNamesOfOwnerTeam('east'),
      recordNamesStartingWith: keys.recordNamesStartingWith('ÅS'),
      recordNamePrefix: keys.recordNamePrefix('ÅS'),
      prefixes: [keys.phoneRecordPrefix, keys.optOutPrefix, keys.opportunityLinkPrefix, keys.conversationPrefix, keys.messagePrefix, keys.pendingReportPrefix, keys.templatesPartition, keys.notificationPrefix, keys.conversationEventPrefix],
    }).toMatchInlineSnapshot(`
      {
        "allConversationsShards": [
          "CONVS#ALL#0",
          "CONVS#ALL#1",
          "CONVS#ALL#2",
          "CONVS#ALL#3",
        ],
        "consentChange": {
          "pk": "PHONE#+14255550123",
          "sk": "CONSENT#+14255550100#2026-11-01T09:00:00.000Z#c1",
        },
        "consentHistoryPrefix": "CONSENT#+14255550100#",
        "conversation": {
          "pk": "PHONE#+14255550123",
          "sk": "CONV#+14255550100#contact#ada",
        },
        "conversationEvent": {
          "pk": "CONV#01J0000000000000000000000A",
          "sk": "EVENT#2026-11-01T09:00:00.000Z#e1",
        },
        "conversationHead": {
          "pk": "CONV#01J0000000000000000000000A",
          "sk": "HEAD",
        },
        "conversationIndexes": {
          "gsi1pk": "CONVS#RECORD#contact#ada",
          "gsi1sk": "2026-11-01T09:00:00.000Z#01J0000000000000000000000A",
          "gsi2pk": "CONVS#ASSIGNEE#team#east",
          "gsi2sk": "2026-11-01T09:00:00.000Z#01J0000000000000000000000A",
          "gsi3pk": "CONVS#OWNER#seller#alice",
          "gsi3sk": "2026-11-01T09:00:00.000Z#01J0000000000000000000000A",
          "gsi4pk": "CONVS#OWNER#team#west",
          "gsi4sk": "2026-11-01T09:00:00.000Z#01J0000000000000000000000A",
          "gsi5pk": "CONVS#ALL#0",
          "gsi5sk": "2026-11-01T09:00:00.000Z#01J0000000000000000000000A",
        },
        "conversationsOfAssignee": "CONVS#ASSIGNEE#seller#alice",
        "conversationsOfOwnerSeller": "CONVS#OWNER#seller#alice",
        "conversationsOfOwnerTeam": "CONVS#OWNER#team#east",
        "conversationsOfRecord": "CONVS#RECORD#opportunity#o1",
        "idempotency": {
          "pk": "IDEMPOTENCY#alice#key-1",
          "sk": "SEND",
        },
        "leadClaim": {
          "pk": "PHONE#+14255550123",
          "sk": "LEADCLAIM",
        },
        "message": {
          "pk": "CONV#01J0000000000000000000000A",
          "sk": "MSG#2026-11-01T09:00:00.000Z#m1",
        },
        "notification": {
          "pk": "SELLER#alice",
          "sk": "NOTIF#n1",
        },
        "number": {
          "pk": "NUMBER#+14255550100",
          "sk": "PROFILE",
        },
        "numberInAssigneeList": {
          "gsi1pk": "ASSIGNEE#seller#alice",
          "gsi1sk": "NUMBER#+14255550100",
        },
        "numbersOfAssignee": {
          "gsi1pk": "ASSIGNEE#team#east",
        },
        "opportunityLink": {
          "pk": "RECORD#contact#ada",
          "sk": "OPPORTUNITY#o1",
        },
        "optOut": {
          "pk": "PHONE#+14255550123",
          "sk": "OPTOUT#+14255550100",
        },
        "pendingReport": {
          "pk": "PMSG#twilio#SM1",
          "sk": "REPORT#r1",
        },
        "phoneIndex": {
          "pk": "PHONE#+14255550123",
          "sk": "RECORD#lead#l1",
        },
        "phonePartition": "PHONE#+14255550123",
        "prefixes": [
          "RECORD#",
          "OPTOUT#",
          "OPPORTUNITY#",
          "CONV#",
          "MSG#",
          "REPORT#",
          "TEMPLATES",
          "NOTIF#",
          "EVENT#",
        ],
        "providerMessage": {
          "pk": "PMSG#twilio#SM1",
          "sk": "POINTER",
        },
        "queuedMessage": {
          "gsi1pk": "QUEUED#1",
          "gsi1sk": "2026-11-01T09:00:00.000Z",
        },
        "queuedShards": [
          "QUEUED#0",
          "QUEUED#1",
          "QUEUED#2",
          "QUEUED#3",
        ],
        "readMark": {
          "pk": "CONV#01J0000000000000000000000A",
          "sk": "READ#alice",
        },
        "record": {
          "pk": "RECORD#contact#ada",
          "sk": "PROFILE",
        },
        "recordNameIndexes": {
          "gsi3pk": "NAMES#OWNER#seller#alice",
          "gsi3sk": "åsa öberg#contact#ada",
          "gsi4pk": "NAMES#OWNER#team#east",
          "gsi4sk": "åsa öberg#contact#ada",
          "gsi5pk": "NAMES#ALL#ås",
          "gsi5sk": "åsa öberg#contact#ada",
        },
        "recordNamePrefix": "ås",
        "recordNamesOfOwnerSeller": "NAMES#OWNER#seller#alice",
        "recordNamesOfOwnerTeam": "NAMES#OWNER#team#east",
        "recordNamesStartingWith": "NAMES#ALL#ås",
        "seller": {
          "pk": "SELLER#alice",
          "sk": "PROFILE",
        },
        "team": {
          "pk": "TEAM#east",
          "sk": "PROFILE",
        },
        "teamMember": {
          "pk": "TEAM#east",
          "sk": "MEMBER#alice",
        },
        "teamMembersPrefix": "MEMBER#",
        "template": {
          "pk": "TEMPLATE#welcome",
          "sk": "PROFILE",
        },
        "templateList": {
          "gsi1pk": "TEMPLATES",
          "gsi1sk": "welcome#welcome",
        },
        "templateName": {
          "pk": "TEMPLATE#NAME#welcome",
          "sk": "CLAIM",
        },
        "unreadConversation": {
          "pk": "SELLER#alice",
          "sk": "UNREADCONV#01J0000000000000000000000A",
        },
        "unreadConversationOrder": {
          "gsi1pk": "UNREADCONVS#alice",
          "gsi1sk": "2026-11-01T09:00:00.000Z#01J0000000000000000000000A",
        },
        "unreadConversationsPartition": "UNREADCONVS#alice",
        "unreadNotification": {
          "gsi1pk": "UNREAD#alice",
          "gsi1sk": "n1",
        },
        "unreadPartition": "UNREAD#alice",
      }
    `);
  });
});
