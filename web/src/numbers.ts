import { useEffect, useState } from 'preact/hooks';
import { ok, type Api } from './api';
import type { components } from '../../shared/client';

export type BusinessNumber = components['schemas']['BusinessNumber'];

/** Per signed-in client: a seller's numbers are never shown to the next one signing in on this tab. */
const cache = new WeakMap<Api, Promise<BusinessNumber[]>>();

/** The caller's sending numbers (theirs and their teams'), fetched once per sign-in. */
export function useMyNumbers(api: Api): BusinessNumber[] {
  const [numbers, setNumbers] = useState<BusinessNumber[]>([]);
  useEffect(() => {
    if (!cache.has(api)) cache.set(api, ok(api.GET('/me/numbers')).then((r) => r.items as BusinessNumber[]));
    let live = true;
    cache.get(api)!.then(
      (items) => live && setNumbers(items),
      () => cache.delete(api),
    );
    return () => {
      live = false;
    };
  }, [api]);
  return numbers;
}

/** A business number as sellers know it: its label when it has one, else the number. */
export const labelOf = (numbers: readonly BusinessNumber[], number: string) => numbers.find((n) => n.number === number)?.label ?? number;
