import { apiHandler } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { CursorCodec } from '../../shared/http/cursor';
import { cursorSigningKey } from '../../shared/secrets';
import { templateRoutes } from './templates';
import { viewRoutes } from './views';
import { onFirstUse } from '../../shared/lambda';
import type { MediaStore } from '../../shared/media/store';
import { mediaStore } from '../../shared/media/aws-media-store';

export function createHandler(deps: Deps, cursors = new CursorCodec(cursorSigningKey), media: () => MediaStore = mediaStore) {
  return apiHandler('seller-api', { ...templateRoutes(deps, cursors), ...viewRoutes(deps, cursors, media) });
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
