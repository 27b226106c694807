import { call, admin } from './api';
import { createHandler as createDirectoryHandler } from '../../functions/directory/handler';
import type { Deps } from '../../shared/deps';

type DirectoryHandler = ReturnType<typeof createDirectoryHandler>;

/** Writes a directory and records through the public API, as an admin or the CRM would. */
export class OrgBuilder {
  readonly directory: DirectoryHandler;
  constructor(deps: Deps) {
    this.directory = createDirectoryHandler(deps);
  }

  private async put(path: string, body: unknown) {
    const response = await call(this.directory, 'PUT', path, { as: admin, body });
    if (response.status !== 200) throw new Error(`PUT ${path} → ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  team(id: string, name = id) {
    return this.put(`/directory/teams/${id}`, { name });
  }
  seller(id: string, options: { teamIds?: string[]; roles?: string[]; name?: string } = {}) {
    return this.put(`/directory/sellers/${id}`, { name: options.name ?? id, teamIds: options.teamIds ?? [], roles: options.roles ?? ['salesperson'] });
  }
  number(e164: string, assignedTo: { type: 'seller' | 'team'; id: string }, provider = 'sandbox') {
    return this.put(`/directory/numbers/${encodeURIComponent(e164)}`, { assignedTo, provider });
  }
  record(type: string, id: string, body: Record<string, unknown>) {
    return this.put(`/records/${type}/${id}`, { state: 'active', name: `${type} ${id}`, ...body });
  }
}
