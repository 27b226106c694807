import type { Principal } from './types';
import { HttpError } from './errors';

/** Who is asking, with the teams the directory lists for them. */
export interface Viewer {
  sellerId: string;
  isAdmin: boolean;
  teamIds: readonly string[];
  /** Admins and salespeople read message text; other sellers see conversations with it withheld. */
  readsBodies: boolean;
}

export const SALESPERSON_ROLE = 'salesperson';

/** The directory role that grants SMS privileges (send, receive, read text). */
export function isSalesperson(seller: { roles?: readonly string[] | undefined } | undefined): boolean {
  return (seller?.roles ?? []).includes(SALESPERSON_ROLE);
}

/** The caller with the teams and roles the directory lists for them (none when they are not in the directory). */
export function viewerFrom(caller: { sellerId: string; isAdmin: boolean }, seller: { teamIds: readonly string[]; roles?: readonly string[] } | undefined): Viewer {
  return {
    sellerId: caller.sellerId,
    isAdmin: caller.isAdmin,
    teamIds: seller?.teamIds ?? [],
    readsBodies: caller.isAdmin || isSalesperson(seller),
  };
}

export function isPrincipalOf(viewer: Viewer, principal: Principal | undefined): boolean {
  if (!principal) return false;
  return principal.type === 'seller' ? principal.id === viewer.sellerId : viewer.teamIds.includes(principal.id);
}

function ownsRecord(viewer: Viewer, ownerId: string | undefined, owningTeamId: string | undefined): boolean {
  return (ownerId !== undefined && ownerId === viewer.sellerId) || (owningTeamId !== undefined && viewer.teamIds.includes(owningTeamId));
}

/**
 * The contract's visibility rule, in one place: a conversation is visible when its business number
 * is assigned to the viewer or one of their teams, or its record is owned by them or one of their teams.
 */
export function canSeeConversation(
  viewer: Viewer,
  conversation: { assignedTo: Principal; recordOwnerId?: string | undefined; recordOwningTeamId?: string | undefined },
): boolean {
  return (
    viewer.isAdmin ||
    isPrincipalOf(viewer, conversation.assignedTo) ||
    ownsRecord(viewer, conversation.recordOwnerId, conversation.recordOwningTeamId)
  );
}

/** A record is readable by its owner, members of its owning team, and admins. */
export function canReadRecord(viewer: Viewer, record: { ownerId?: string | undefined; owningTeamId?: string | undefined }): boolean {
  return viewer.isAdmin || ownsRecord(viewer, record.ownerId, record.owningTeamId);
}

/** Sending, replying, moving and handing off are for admins and salespeople (403 for other sellers). */
export function requireSmsRole(viewer: Viewer, action: string): void {
  if (!viewer.readsBodies) throw new HttpError('InsufficientPrivileges', `${action} needs the salesperson role`);
}

/**
 * Who may hand a conversation off: admins, its current assignee (or a member of the assignee team),
 * and its record's owner (or a member of the owning team).
 */
export function canAssignConversation(viewer: Viewer, conversation: { assignedTo: Principal; recordOwnerId?: string | undefined; recordOwningTeamId?: string | undefined }): boolean {
  return viewer.isAdmin || isPrincipalOf(viewer, conversation.assignedTo) || ownsRecord(viewer, conversation.recordOwnerId, conversation.recordOwningTeamId);
}
