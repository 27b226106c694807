import { useEffect, useId, useState } from 'preact/hooks';
import { errorText, ok } from '../api';
import { useApp } from '../context';
import { useI18n, type I18n } from '../i18n';
import { ErrorAlert } from './error-alert';
import type { components } from '../../../shared/client';

type Report = components['schemas']['ResponseReport'];
type Row = Report['items'][number];
type Preset = '7' | '30' | '92' | 'custom';

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
function lastDays(n: number): { from: string; to: string } {
  const to = new Date();
  return { from: isoDay(new Date(to.getTime() - (n - 1) * 86_400_000)), to: isoDay(to) };
}

/** 45 s, 12 min, 1 h 5 min, 2 d 3 h: a time a manager reads at a glance. */
export function duration(seconds: number | null, t: I18n['t']): string {
  if (seconds === null) return t('noTime');
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) {
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(seconds / 86_400);
  const h = Math.round((seconds % 86_400) / 3600);
  return h ? `${d} d ${h} h` : `${d} d`;
}

/**
 * "Response times" (managers: every seller and team; a seller: their own row and their teams'): a period picker, bars per
 * seller or team (first response, median and p90) and the same figures as a table, which is what screen readers read
 * (the chart is a picture of it, hidden from them).
 */
export function ReportsView() {
  const { api } = useApp();
  const { t, number } = useI18n();
  const [preset, setPreset] = useState<Preset>('30');
  const [period, setPeriod] = useState(() => lastDays(30));
  const [groupBy, setGroupBy] = useState<'seller' | 'team'>('seller');
  const [report, setReport] = useState<Report>();
  const [error, setError] = useState<string>();
  const ids = { preset: useId(), from: useId(), to: useId(), groupBy: useId(), caption: useId() };

  useEffect(() => {
    let live = true;
    setError(undefined);
    ok(api.GET('/reports/response-times', { params: { query: { from: period.from, to: period.to, groupBy } } })).then(
      (r) => live && setReport(r),
      (e) => live && setError(errorText(e, t)),
    );
    return () => {
      live = false;
    };
  }, [api, period.from, period.to, groupBy]);

  const choosePreset = (value: Preset) => {
    setPreset(value);
    if (value !== 'custom') setPeriod(lastDays(Number(value)));
  };
  const rows = report?.items ?? [];
  return (
    <section class="reports-view" aria-labelledby="reports-title">
      <h2 id="reports-title">{t('reportsTitle')}</h2>
      <form class="report-filters" onSubmit={(e) => e.preventDefault()}>
        <span class="field">
          <label for={ids.preset}>{t('reportPeriod')}</label>
          <select id={ids.preset} value={preset} onChange={(e) => choosePreset(e.currentTarget.value as Preset)}>
            {(['7', '30', '92'] as const).map((n) => (
              <option key={n} value={n}>
                {t(`reportPreset.${n}`)}
              </option>
            ))}
            <option value="custom">{t('reportPresetCustom')}</option>
          </select>
        </span>
        <span class="field">
          <label for={ids.from}>{t('reportFrom')}</label>
          <input id={ids.from} type="date" value={period.from} max={period.to} onChange={(e) => (setPreset('custom'), setPeriod({ ...period, from: e.currentTarget.value }))} />
        </span>
        <span class="field">
          <label for={ids.to}>{t('reportTo')}</label>
          <input id={ids.to} type="date" value={period.to} min={period.from} onChange={(e) => (setPreset('custom'), setPeriod({ ...period, to: e.currentTarget.value }))} />
        </span>
        <span class="field">
          <label for={ids.groupBy}>{t('reportGroupBy')}</label>
          <select id={ids.groupBy} value={groupBy} onChange={(e) => setGroupBy(e.currentTarget.value as 'seller' | 'team')}>
            <option value="seller">{t('reportBySeller')}</option>
            <option value="team">{t('reportByTeam')}</option>
          </select>
        </span>
      </form>
      <ErrorAlert message={error} />
      {report && rows.length === 0 && <p class="empty">{t('reportNone')}</p>}
      {rows.length > 0 && (
        <>
          <figure class="report-chart" aria-hidden="true">
            <figcaption>{t('reportChartTitle')}</figcaption>
            <Bars rows={rows} />
            <p class="legend">
              <span class="swatch median" /> {t('reportMedian')} <span class="swatch p90" /> {t('reportP90')}
            </p>
          </figure>
          {/* A keyboard reaches the columns a narrow screen scrolls to. */}
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={ids.caption}>
            <table class="report-table" aria-describedby={ids.caption}>
              <caption id={ids.caption}>{t('reportTableCaption', { from: report!.from, to: report!.to })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('reportName')}</th>
                  <th scope="col">{t('reportConversations')}</th>
                  <th scope="col">{t('reportInbound')}</th>
                  <th scope="col">{t('reportAnswered')}</th>
                  <th scope="col">{t('reportFirstMedian')}</th>
                  <th scope="col">{t('reportFirstP90')}</th>
                  <th scope="col">{t('reportReplyMedian')}</th>
                  <th scope="col">{t('reportReplyP90')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.principal.type}:${row.principal.id}`} data-principal={row.principal.id}>
                    <th scope="row">{row.principal.name}</th>
                    <td>{number(row.conversations)}</td>
                    <td>{number(row.inboundMessages)}</td>
                    <td>{number(row.answered)}</td>
                    <td>{duration(row.firstResponseSeconds.median, t)}</td>
                    <td>{duration(row.firstResponseSeconds.p90, t)}</td>
                    <td>{duration(row.replySeconds.median, t)}</td>
                    <td>{duration(row.replySeconds.p90, t)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** Horizontal bars, one pair per row (p90 over median), scaled to the longest p90: plain HTML and CSS, no chart library. */
function Bars({ rows }: { rows: Row[] }) {
  const { t } = useI18n();
  const longest = Math.max(1, ...rows.map((r) => r.firstResponseSeconds.p90 ?? 0));
  const width = (s: number | null) => `${(((s ?? 0) / longest) * 100).toFixed(1)}%`;
  return (
    <div class="bars">
      {rows.map((row) => (
        <div class="bar-row" key={`${row.principal.type}:${row.principal.id}`}>
          <span class="bar-name">{row.principal.name}</span>
          <span class="bar-track">
            <span class="bar p90" style={{ width: width(row.firstResponseSeconds.p90) }} />
            <span class="bar median" style={{ width: width(row.firstResponseSeconds.median) }} />
          </span>
          <span class="bar-value">
            {duration(row.firstResponseSeconds.median, t)} / {duration(row.firstResponseSeconds.p90, t)}
          </span>
        </div>
      ))}
    </div>
  );
}
