import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { LiveChannel } from '../flows/live-hints';

/** Frames are hints: a slow post is given up quickly rather than holding up the stream. */
const POST_TIMEOUT_MS = 3_000;

/** The live channel in AWS: API Gateway's management API of the WebSocket stage (`https://{api}.execute-api.{region}.amazonaws.com/{stage}`). */
export function apiGatewayLiveChannel(endpoint: string, region: string, client?: ApiGatewayManagementApiClient): LiveChannel {
  const api = client ?? new ApiGatewayManagementApiClient({ endpoint, region, maxAttempts: 2, requestHandler: { requestTimeout: POST_TIMEOUT_MS, connectionTimeout: POST_TIMEOUT_MS } });
  return {
    async post(connectionId, data) {
      try {
        await api.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(data) }));
        return 'sent';
      } catch (error) {
        if (isGone(error)) return 'gone';
        throw error;
      }
    },
    async close(connectionId) {
      try {
        await api.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    },
  };
}

/** The connection no longer exists (also as a plain error name, when the class comes from another copy of the SDK). */
const isGone = (error: unknown) => error instanceof GoneException || (error as { name?: string }).name === 'GoneException';
