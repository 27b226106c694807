import { apiHandler } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { CursorCodec } from '../../shared/http/cursor';
import { cursorSigningKey } from '../../shared/secrets';
import { templateRoutes } from './templates';
import { viewRoutes } from './views';
import { onFirstUse } from '../../shared/lambda';

export function createHandler(deps: Deps, cursors = new CursorCodec(cursorSigningKey)) {
  return apiHandler('seller-api', { ...templateRoutes(deps, cursors), ...viewRoutes(deps, cursors) });
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
