import middy from '@middy/core';
import { defaultDeps, type Deps } from '../../shared/deps';
import { config } from '../../shared/config';
import { closeConnection, markPresentInTeams, openConnection } from '../../shared/store/items/live-connection';
import { DirectoryStore } from '../../shared/store/items/directory';
import { jwtTokenVerifier, type TokenVerifier } from '../../shared/live/token-verifier';
import { count, logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';
import { isLiveTab } from '../../shared/domain/live';

/** The parts of API Gateway's WebSocket event this function reads. */
export interface LiveEvent {
  requestContext: { routeKey: string; connectionId: string; eventType?: string };
  queryStringParameters?: Record<string, string | undefined> | null;
}

/**
 * The live channel's `$connect` and `$disconnect` (API Gateway WebSocket API): a connection opens only with
 * a valid token (`?token=`, the same JWT as the seller API), and is stored under the token's seller until it
 * closes. Frames are sent by the notifier, from the table's stream.
 */
export function createHandler(deps: Deps, verify: TokenVerifier) {
  const live = async (event: LiveEvent): Promise<{ statusCode: number; body?: string }> => {
    const { routeKey, connectionId } = event.requestContext;
    if (routeKey === '$disconnect') {
      await closeConnection(deps.db, deps.table, connectionId);
      return { statusCode: 200 };
    }
    if (routeKey !== '$connect') return { statusCode: 200 };
    const token = event.queryStringParameters?.token;
    const claims = token ? await verify(token) : undefined;
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    if (!claims || claims.exp <= nowSeconds) {
      count('LiveConnectRefused');
      // API Gateway refuses the upgrade with this status.
      return { statusCode: 401, body: 'Unauthorized' };
    }
    // The console names its tab (`?tab=`); a malformed name is ignored: the tab then hears of its own reading too.
    const tab = event.queryStringParameters?.tab;
    if ((await openConnection(deps.db, deps.table, { connectionId, sellerId: claims.sub, tokenExpiresAt: claims.exp, nowSeconds, tab: isLiveTab(tab) ? tab : undefined })) === 'full') {
      count('LiveConnectLimited');
      // API Gateway refuses the upgrade with this status: the console keeps working through its safety poll.
      return { statusCode: 429, body: 'Too many live connections' };
    }
    // Present in each of the seller's teams: a team's frames look for its online members there.
    const seller = await new DirectoryStore(deps.db, deps.table).getSeller(claims.sub);
    await markPresentInTeams(deps.db, deps.table, claims.sub, seller?.teamIds ?? [], nowSeconds);
    return { statusCode: 200 };
  };
  return middy(live).use(logContext(logger)).use(publishMetrics(metrics));
}

export const handler = onFirstUse(() =>
  createHandler(defaultDeps(), jwtTokenVerifier({ userPoolId: config().USER_POOL_ID, clientId: config().USER_POOL_CLIENT_ID, issuer: config().JWT_ISSUER, audience: config().JWT_AUDIENCE, jwksUri: config().JWT_JWKS_URI })),
);
