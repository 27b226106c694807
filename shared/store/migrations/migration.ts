import type { Deps } from '../../deps';
import type { Item } from '../dynamo-helpers';

/**
 * One change of stored items' shape, carried forward: a file per migration, named by number and purpose
 * (`0001-assignee-listing.ts`), listed in order in `index.ts`.
 *
 * `migrate` looks at one item and, when it is of the old shape, rewrites it with one conditional write that
 * changes nothing the second time (idempotent: a run that resumes re-visits at most one page). It answers whether
 * it changed the item. It never leaves an item half-written: one item, one write.
 */
export interface Migration {
  id: string;
  purpose: string;
  /** The item kinds it reads (the scan's filter); every item when absent. */
  kinds?: readonly string[];
  migrate(deps: Deps, item: Item): Promise<boolean>;
}
