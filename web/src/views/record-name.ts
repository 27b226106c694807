import { useEffect, useState } from 'preact/hooks';
import type { Api, RecordRef } from '../api';

/** Per signed-in client, so one seller's readable records never show for another. */
const cache = new WeakMap<Api, Map<string, Promise<string | undefined>>>();

/** The record's name when the caller may read the record (a conversation can be visible without it). */
export function useRecordName(api: Api, record: RecordRef | undefined): string | undefined {
  const [name, setName] = useState<string>();
  const key = record ? `${record.type}/${record.id}` : '';
  useEffect(() => {
    if (!record) return;
    if (!cache.has(api)) cache.set(api, new Map());
    const names = cache.get(api)!;
    if (!names.has(key)) names.set(key, api.GET('/records/{type}/{id}', { params: { path: record } }).then((r) => r.data?.name, () => undefined));
    let live = true;
    void names.get(key)!.then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [key]);
  return name;
}
