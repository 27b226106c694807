import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import type { Message } from '../api';
import { isInlineImage } from '../../../shared/domain/media';

type Media = NonNullable<Message['media']>[number];

/** An MMS file: fetched with the seller's token (an <img src> could not carry it), shown as a thumbnail. */
export function MediaItem({ conversationId, messageId, media }: { conversationId: string; messageId: string; media: Media }) {
  const { api } = useApp();
  const { t } = useI18n();
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (media.status !== 'stored') return;
    let objectUrl: string | undefined;
    let live = true;
    void api.GET('/conversations/{id}/messages/{messageId}/media/{mediaId}', { params: { path: { id: conversationId, messageId, mediaId: media.id } }, parseAs: 'blob' }).then((r) => {
      if (!live || !(r.data instanceof Blob)) return;
      // Only raster images keep their type; anything else (an SVG can run script) becomes opaque bytes.
      objectUrl = URL.createObjectURL(isInlineImage(media.contentType) ? r.data : new Blob([r.data], { type: 'application/octet-stream' }));
      setUrl(objectUrl);
    });
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [media.id, media.status]);

  if (media.status === 'pending') return <p class="media muted">{t('mediaPending')}</p>;
  if (media.status === 'failed') return <p class="media muted">{t('mediaFailed')}</p>;
  if (!url) return <p class="media muted">{t('loading')}</p>;
  return isInlineImage(media.contentType) ? (
    <a href={url} target="_blank" rel="noreferrer" class="media">
      <img src={url} alt={t('mediaAlt')} width={120} height={120} />
    </a>
  ) : (
    <a href={url} download class="media">
      {t('openMedia', { type: media.contentType })}
    </a>
  );
}
