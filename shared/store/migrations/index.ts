import type { Migration } from './migration';
import { assigneeListing } from './0001-assignee-listing';
import { numberAssigneeNames } from './0002-number-assignee-names';
import { conversationNames } from './0003-conversation-names';
import { recordNameIndexes } from './0004-record-name-indexes';
import { templateNameClaims } from './0005-template-name-claims';
import { notificationConversationIndex } from './0006-notification-conversation-index';
import { consentState } from './0007-consent-state';
import { conversationInboundCounts } from './0008-conversation-inbound-counts';
import { notificationNames } from './0009-notification-names';
import { readMarkConversations } from './0010-read-mark-conversations';
import { notificationCounters } from './0011-notification-counters';
import { conversationWaiting } from './0012-conversation-waiting';

/**
 * Every migration, in the order they run (README, "Upgrades"). A change of a stored item's shape adds its fixture
 * (`npm run fixtures:releases`) and, where today's code cannot read the old shape as it is, a migration here:
 * one file, named by number and purpose. Never renumber or remove one that has shipped: its record says it ran.
 */
export const MIGRATIONS: readonly Migration[] = [assigneeListing, numberAssigneeNames, conversationNames, recordNameIndexes, templateNameClaims, notificationConversationIndex, consentState, conversationInboundCounts, notificationNames, readMarkConversations, notificationCounters, conversationWaiting];
