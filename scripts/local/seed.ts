import { DirectoryStore } from '../../shared/store/items/directory';
import { RecordStore } from '../../shared/store/items/record';
import { TemplateStore } from '../../shared/store/items/template';
import type { Deps } from '../../shared/deps';
import type { CrmRecord } from '../../shared/domain/records';

export const demo = {
  aliceNumber: '+14255550100',
  teamNumber: '+14255550101',
  bobNumber: '+14255550102',
  adaMobile: '+14255550123',
  adaPhone: '+14255550124',
  adaOffice: '+12125550125',
  unknownCustomer: '+14255550177',
  failingCustomer: '+14255550999',
};

/** The seeded people the console's local sign-in offers. */
export const demoSellers = [
  { id: 'alice', name: 'Alice Andersson' },
  { id: 'bob', name: 'Bob Berg' },
  { id: 'carl', name: 'Carl Coordinator' },
  { id: 'admin', name: 'Admin', groups: ['admin'] },
];

/** Whether the table already holds the demo organisation (a persistent stack started again with --seed). */
export async function alreadySeeded(deps: Deps): Promise<boolean> {
  return (await new DirectoryStore(deps.db, deps.table).getSeller('alice')) !== undefined;
}

/** A small demo organisation: two teams' worth of sellers, numbers, one of each record type, templates. */
export async function seedDemo(deps: Deps, options: { sendingProvider?: 'sandbox' | 'eum' } = {}): Promise<void> {
  // `npm start` sends through the in-process sandbox; `--synth` through End User Messaging's local stand-in.
  const provider = options.sendingProvider ?? 'sandbox';
  const directory = new DirectoryStore(deps.db, deps.table);
  const records = new RecordStore(deps.db, deps.table);
  const templates = new TemplateStore(deps.db, deps.table);
  const now = deps.clock.now().toISOString();

  await directory.putTeam({ id: 'sales-east', name: 'Sales East' });
  await directory.putSeller({ id: 'alice', name: 'Alice Andersson', teamIds: ['sales-east'], roles: ['salesperson'] });
  await directory.putSeller({ id: 'bob', name: 'Bob Berg', teamIds: [], roles: ['salesperson'] });
  await directory.putSeller({ id: 'carl', name: 'Carl Coordinator', teamIds: ['sales-east'], roles: [] });
  await directory.putNumber({ number: demo.aliceNumber, assignedTo: { type: 'seller', id: 'alice' }, provider, label: 'Alice direct' });
  await directory.putNumber({ number: demo.teamNumber, assignedTo: { type: 'team', id: 'sales-east' }, provider, label: 'Sales East' });
  await directory.putNumber({ number: demo.bobNumber, assignedTo: { type: 'seller', id: 'bob' }, provider: 'twilio', label: 'Bob (Twilio)' });

  const record = (r: Omit<CrmRecord, 'modifiedAt' | 'state'> & Partial<Pick<CrmRecord, 'state'>>) => records.upsert({ state: 'active', modifiedAt: now, ...r } as CrmRecord);
  await record({ type: 'account', id: 'acme', name: 'Acme Corp', business: '+14255550150' as CrmRecord['business'], ownerId: 'alice' });
  // Ada has all three numbers (the office line in New York: quiet hours show there first).
  await record({ type: 'contact', id: 'ada', name: 'Ada Lovelace', mobile: demo.adaMobile as CrmRecord['mobile'], phone: demo.adaPhone as CrmRecord['phone'], business: demo.adaOffice as CrmRecord['business'], accountId: 'acme', ownerId: 'alice' });
  await record({ type: 'contact', id: 'grace', name: 'Grace Hopper', mobile: demo.failingCustomer as CrmRecord['mobile'], ownerId: 'alice' });
  await record({ type: 'opportunity', id: 'acme-renewal', name: 'Acme renewal 2027', contactIds: ['ada'], accountId: 'acme', ownerId: 'alice' });
  await record({ type: 'lead', id: 'linus', name: 'Linus T', mobile: '+14255550160' as CrmRecord['mobile'], owningTeamId: 'sales-east' });

  const template = (id: string, name: string, body: string) => templates.create({ id, name, body, createdBy: 'alice', createdAt: now, updatedAt: now });
  await template('welcome', 'Welcome', 'Hej {{record.name}}! {{seller.name}} here from Acme. Reply STOP to opt out.');
  await template('follow-up', 'Follow-up', 'Hi {{record.name}}, just following up on our call. 👋');
}
