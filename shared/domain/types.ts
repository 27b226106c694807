/** The shared vocabulary of the domain: store, providers and handlers import these from here. */
export const recordTypeNames = ['contact', 'account', 'opportunity', 'lead'] as const;
export type RecordType = (typeof recordTypeNames)[number];

/** A seller or a team: who a number or a conversation is assigned to. */
export type Principal = { type: 'seller' | 'team'; id: string };

/** The SMS providers a business number can send through. */
export const providerNames = ['pinpoint', 'eum', 'twilio', 'sandbox'] as const;
export type ProviderName = (typeof providerNames)[number];
