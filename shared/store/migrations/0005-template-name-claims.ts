import { claimOlderTemplateName } from '../items/template';
import type { Migration } from './migration';

/** Round 1 templates have no name claim: a new template could take an existing one's name. */
export const templateNameClaims: Migration = {
  id: '0005-template-name-claims',
  purpose: 'claim the names of templates stored before names were unique',
  kinds: ['template'],
  migrate: (deps, item) => claimOlderTemplateName(deps.db, deps.table, item),
};
