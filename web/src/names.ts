import { useApp } from './context';
import { useI18n } from './i18n';
import type { Principal } from './api';

/**
 * Sellers' names as this console learns them, so the timeline and the history say who acted by name: the
 * local sign-in list, then each name the API gives next to an id (assignees, hand-offs). Per signed-in client.
 */
export class SellerNames {
  private readonly names = new Map<string, string>();

  constructor(known: readonly { id: string; name: string }[] = []) {
    for (const seller of known) this.names.set(seller.id, seller.name);
  }

  learn(principal: Principal | undefined, name: string | undefined): void {
    if (principal?.type === 'seller' && name) this.names.set(principal.id, name);
  }

  of(id: string): string | undefined {
    return this.names.get(id);
  }
}

/** A seller by name in running text ("by …"): "you", a name this console knows, else "a colleague" (never a raw id). */
export function useSellerName(): (id: string) => string {
  const { session, names } = useApp();
  const { t } = useI18n();
  return (id) => (id === session.sellerId ? t('youObject') : (names.of(id) ?? t('colleague')));
}
