/**
 * A stored report as CSV (one figure a line, for spreadsheets) and as a printable HTML page with
 * inline SVG bar charts (no scripts, fonts or other external assets, so it prints and archives
 * as one file). Both only present what the report holds.
 */
import { shanghaiTime } from '../domain/time';
import type { ReportNames } from '../domain/reports';
import { RATE_FIGURES, type OverviewView, type RankingView, type ReportView } from '../domain/analytics-views';
import { csvRow } from '../domain/csv';

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * One unit per column: `value` in the unit `value_unit` names on its line; a volume's change
 * relative to the earlier period (a fraction, 0.25 = +25%) in `*_change`, a rate's change in
 * percentage points in `*_pp`. `name` is the name of the code in `key` (a topic, a district, a
 * unit), or of the code in `value` on a line whose figure is a code (a notable ticket's unit).
 */
export const CSV_COLUMNS = [
  'section',
  'key',
  'name',
  'figure',
  'value',
  'value_unit',
  'numerator',
  'denominator',
  'month_on_month_change',
  'year_on_year_change',
  'month_on_month_pp',
  'year_on_year_pp',
] as const;
type CsvLine = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

type Headline = Omit<OverviewView['businessEnvironment'], 'share'>;

function headlineLines(section: string, h: Headline): CsvLine[] {
  return [
    ...(['volume', 'dailyAverage'] as const).map((figure) => ({
      section,
      figure,
      value: h[figure].value,
      value_unit: figure === 'volume' ? 'tickets' : 'tickets_per_day',
      month_on_month_change: h[figure].monthOnMonth.change,
      year_on_year_change: h[figure].yearOnYear.change,
    })),
    ...RATE_FIGURES.map((figure) => ({
      section,
      figure,
      value: h[figure].value,
      value_unit: 'ratio',
      numerator: h[figure].numerator,
      denominator: h[figure].denominator,
      month_on_month_pp: h[figure].monthOnMonth.changePoints,
      year_on_year_pp: h[figure].yearOnYear.changePoints,
    })),
  ];
}

/** A name for a code, or empty when the code has none (never the code again). */
const nameOf = (names: Record<string, string>, code: string | null | undefined): string => (code ? (names[code] ?? '') : '');

function rankingLines(section: string, r: RankingView, names: Record<string, string>): CsvLine[] {
  return (['large', 'small'] as const).flatMap((group) =>
    r[group].entries.flatMap((e) => {
      const line = { section: `${section}_${group}`, key: e.id, name: e.name ?? nameOf(names, e.id) };
      const lists = [...(r[group].redList.includes(e.id) ? ['red_list'] : []), ...(r[group].blackList.includes(e.id) ? ['black_list'] : [])];
      return [
        { ...line, figure: 'rank', value: e.rank, value_unit: 'rank' },
        { ...line, figure: 'score', value: e.score, value_unit: 'score' },
        { ...line, figure: 'tickets', value: e.tickets, value_unit: 'tickets' },
        ...Object.entries(e.components).map(([figure, c]) => ({ ...line, figure, value: c.value, value_unit: 'ratio', numerator: c.numerator, denominator: c.denominator })),
        ...lists.map((figure) => ({ ...line, figure, value: 1, value_unit: 'flag' })),
      ];
    }),
  );
}

/** An instant in Asia/Shanghai civil time with its offset, to the second: `2020-06-20T09:00:00+08:00`. */
function shanghaiIso(instant: string): string {
  return new Date(Date.parse(instant) + 8 * 3600_000).toISOString().slice(0, 19) + '+08:00';
}

/**
 * Long format: one figure a line, with its counts and changes, and the name beside each code;
 * UTF-8 with a BOM so spreadsheets read the Chinese.
 */
export function reportCsv(r: ReportView, names: ReportNames): string {
  const o = r.overview;
  const breakdowns: Record<string, [OverviewView['byTopic'], Record<string, string>]> = {
    by_channel: [o.byChannel, CHANNEL_NAMES],
    by_type: [o.byType, TYPE_NAMES],
    by_topic_major: [o.byTopicMajor, names.topics],
    by_topic: [o.byTopic, names.topics],
    by_region: [o.byRegion, names.regions],
  };
  const organizations = { ...names.regions, ...names.units };
  const lines: CsvLine[] = [
    { section: 'report', key: r.id, figure: 'period', value: `${r.range.firstDay}/${r.range.lastDay}`, value_unit: 'date_range' },
    { section: 'report', key: r.id, figure: 'generated_at', value: shanghaiIso(r.generatedAt), value_unit: 'time_asia_shanghai' },
    ...headlineLines('overview', o),
    ...(o.peakDay ? [{ section: 'overview', key: o.peakDay.day, figure: 'peakDay', value: o.peakDay.tickets, value_unit: 'tickets' }] : []),
    ...o.byDay.map((d) => ({ section: 'by_day', key: d.day, figure: 'tickets', value: d.tickets, value_unit: 'tickets' })),
    ...Object.entries(breakdowns).flatMap(([section, [items, vocabulary]]) =>
      items.map((b) => ({
        section,
        key: b.key ?? '',
        name: b.key === null ? '未分类' : nameOf(vocabulary, b.key),
        figure: 'tickets',
        value: b.tickets,
        value_unit: 'tickets',
        numerator: b.share.numerator,
        denominator: b.share.denominator,
        month_on_month_change: b.monthOnMonth.change,
        year_on_year_change: b.yearOnYear.change,
      })),
    ),
    ...headlineLines('business_environment', o.businessEnvironment),
    {
      section: 'business_environment',
      figure: 'share',
      value: o.businessEnvironment.share.value,
      value_unit: 'ratio',
      numerator: o.businessEnvironment.share.numerator,
      denominator: o.businessEnvironment.share.denominator,
      month_on_month_pp: o.businessEnvironment.share.monthOnMonth.changePoints,
      year_on_year_pp: o.businessEnvironment.share.yearOnYear.changePoints,
    },
    ...rankingLines('ranking_unit', r.rankings.unit, organizations),
    ...rankingLines('ranking_county', r.rankings.county, organizations),
    ...(r.interviews?.cases ?? []).flatMap((c) =>
      c.positions.map((p) => ({ section: 'interview', key: c.id, name: c.name ?? nameOf(organizations, c.id), figure: `score_${p.month}`, value: p.score, value_unit: 'score' })),
    ),
    ...(['topics', 'regions'] as const).flatMap((kind) =>
      r.hotspots[kind].flatMap((h) =>
        Object.entries({ count: ['tickets', h.count], expected: ['tickets', h.expected], z: ['z', h.z], p_value: ['p', h.pValue] } as const).map(([figure, [unit, value]]) => ({
          section: `hotspot_${kind}`,
          key: h.key ?? '',
          name: h.key === null ? '未分类' : nameOf(kind === 'topics' ? names.topics : names.regions, h.key),
          figure,
          value,
          value_unit: unit,
        })),
      ),
    ),
    ...r.hotspots.placeClusters.map((c) => ({ section: 'place_cluster', key: `${c.regionCode ?? ''}/${c.topic ?? ''}`, name: c.address, figure: 'tickets', value: c.tickets, value_unit: 'tickets' })),
    ...r.hotspots.repeatCallers.map((c) => ({ section: 'repeat_caller', key: c.phone, figure: 'tickets', value: c.tickets, value_unit: 'tickets' })),
    ...(['overdue', 'escalated', 'dissatisfied'] as const).flatMap((kind) => [
      { section: `notable_${kind}`, figure: 'total', value: r.notable[kind].total, value_unit: 'tickets' },
      ...r.notable[kind].tickets.flatMap((t) => {
        const line = { section: `notable_${kind}`, key: t.id };
        return [
          { ...line, figure: 'status', value: t.status, value_unit: 'status' },
          { ...line, figure: 'unit', value: t.unitId, name: nameOf(names.units, t.unitId), value_unit: 'unit_id' },
          { ...line, figure: 'topic', value: t.topic, name: t.topic ? nameOf(names.topics, t.topic) : '未分类', value_unit: 'topic_code' },
          { ...line, figure: 'district', value: t.regionCode, name: nameOf(names.regions, t.regionCode), value_unit: 'district_code' },
          { ...line, figure: 'received_at', value: shanghaiIso(t.receivedAt), value_unit: 'time_asia_shanghai' },
          ...(t.dueBy ? [{ ...line, figure: 'due_by', value: shanghaiIso(t.dueBy), value_unit: 'time_asia_shanghai' }] : []),
          ...(t.repliedAt ? [{ ...line, figure: 'replied_at', value: shanghaiIso(t.repliedAt), value_unit: 'time_asia_shanghai' }] : []),
        ];
      }),
    ]),
  ];
  const text = [csvRow(CSV_COLUMNS), ...lines.map((l) => csvRow(CSV_COLUMNS.map((c) => l[c])))].join('\r\n');
  return `\uFEFF${text}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// HTML

const PERIOD_TITLES = { day: '日报', week: '周报', month: '月报', year: '年报' } as const;
const CHANNEL_NAMES: Record<string, string> = {
  phone: '电话',
  wechat: '微信',
  web: '网站',
  app: '移动应用',
  sms: '短信',
  mayor_mailbox: '市长信箱',
  provincial_platform: '省级平台',
  national_platform: '国家政务服务平台',
  leader_message_board: '领导留言板',
  police_110: '110 平台',
  weibo: '微博',
  other: '其他',
};
const TYPE_NAMES: Record<string, string> = {
  help: '求助',
  consultation: '咨询',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
  praise: '表扬',
  other: '其他',
};
const FIGURE_NAMES: Record<string, string> = {
  volume: '受理量 tickets',
  dailyAverage: '日均 per day',
  directAnswerShare: '直接答复率 answered directly',
  dispatchShare: '转办率 dispatched',
  completionRate: '办结率 completion',
  onTimeCompletionRate: '按期办结率 on time',
  satisfactionRate: '满意率 satisfaction',
  callbackRate: '回访率 callbacks',
};

function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const signed = (v: number | null, unit: string, digits = 1) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}${unit}`);
const number = (v: number | null) => (v === null ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/** A horizontal bar chart as inline SVG. */
function barChart(title: string, items: { label: string; value: number }[]): string {
  if (items.length === 0) return `<p class="empty">${esc(title)}: —</p>`;
  const [width, bar, gap, labelWidth, valueWidth] = [640, 16, 4, 170, 60];
  const max = Math.max(...items.map((i) => i.value), 1);
  const height = items.length * (bar + gap);
  const rows = items.map((item, i) => {
    const y = i * (bar + gap);
    const w = ((width - labelWidth - valueWidth) * item.value) / max;
    return (
      `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${esc(item.label)}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${bar}"/>` +
      `<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 12}">${esc(item.value)}</text>`
    );
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">${rows.join('')}</svg></figure>`;
}

/** Tickets per day as an inline SVG column chart. */
function dayChart(days: { day: string; tickets: number }[]): string {
  if (days.length === 0) return '<p class="empty">每日受理量 tickets per day: —</p>';
  const [width, height, bottom] = [640, 160, 18];
  const max = Math.max(...days.map((d) => d.tickets), 1);
  const step = width / days.length;
  const columns = days.map((d, i) => {
    const h = ((height - bottom - 14) * d.tickets) / max;
    return `<rect x="${(i * step + step * 0.1).toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${(step * 0.8).toFixed(1)}" height="${h.toFixed(1)}"><title>${esc(d.day)}: ${d.tickets}</title></rect>`;
  });
  const first = days[0]!;
  const last = days.at(-1)!;
  return (
    `<figure><figcaption>每日受理量 tickets per day (max ${max})</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="tickets per day">${columns.join('')}` +
    `<text x="0" y="${height - 4}">${esc(first.day)}</text><text x="${width}" y="${height - 4}" text-anchor="end">${esc(last.day)}</text></svg></figure>`
  );
}

function table(head: string[], rows: (string | number | null)[][]): string {
  if (rows.length === 0) return '<p class="empty">—</p>';
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/**
 * The headline figures in two tables, one unit per column: volumes with their relative change
 * (%), rates with their change in percentage points (pp).
 */
function headlineTable(h: Headline): string {
  const relative = (c: number | null) => signed(c === null ? null : c * 100, '%');
  const volumes = (['volume', 'dailyAverage'] as const).map((k) => [
    FIGURE_NAMES[k]!,
    number(h[k].value),
    relative(h[k].monthOnMonth.change),
    relative(h[k].yearOnYear.change),
  ]);
  const rates = RATE_FIGURES.map((k) => [
    FIGURE_NAMES[k]!,
    percent(h[k].value),
    `${number(h[k].numerator)} / ${h[k].denominator}`,
    signed(h[k].monthOnMonth.changePoints, ' pp'),
    signed(h[k].yearOnYear.changePoints, ' pp'),
  ]);
  return (
    table(['量 volume', '数值 count', '环比 MoM (%)', '同比 YoY (%)'], volumes) +
    table(['率 rate', '数值 value (%)', '分子/分母 counts', '环比 MoM (pp)', '同比 YoY (pp)'], rates)
  );
}

/** "建筑施工噪声 (050201)": the name a reader knows, with the code the systems use; the code alone when unnamed. */
function withCode(names: Record<string, string>, code: string | null | undefined): string {
  if (code === null || code === undefined) return '未分类';
  return names[code] ? `${names[code]} (${code})` : code;
}

/** Each volume group in full when short, else its red and black lists; the full ranking is in the JSON and CSV. */
function rankingSection(title: string, r: RankingView, names: ReportNames): string {
  const shown = (g: RankingView['large']) =>
    g.entries.length <= 2 * r.listSize ? g.entries : g.entries.filter((e) => g.redList.includes(e.id) || g.blackList.includes(e.id));
  const group = (name: string, g: RankingView['large']) =>
    `<h3>${esc(name)}: ${g.entries.length} ranked</h3>` +
    table(
      ['名次 rank', '单位 unit', '得分 score', '工单 tickets', '签收 sign-off', '按期 on time', '满意 satisfied', '退单 returns', '重办 re-handled', '榜单 list'],
      shown(g).map((e) => [
        e.rank,
        withCode({ ...names.units, ...names.regions, ...(e.name ? { [e.id]: e.name } : {}) }, e.id),
        e.score.toFixed(2),
        e.tickets,
        percent(e.components.signOffRate.value),
        percent(e.components.onTimeRate.value),
        percent(e.components.satisfactionRate.value),
        percent(e.components.returnRate.value),
        percent(e.components.rehandleRate.value),
        g.redList.includes(e.id) ? '红榜' : g.blackList.includes(e.id) ? '黑榜' : '',
      ]),
    );
  return (
    `<h2>${esc(title)}</h2><p>${esc(r.period.firstDay)} – ${esc(r.period.lastDay)}; weights ${esc(JSON.stringify(r.weights))}</p>` +
    group(`工单 > ${r.groupThreshold}`, r.large) +
    group(`工单 1–${r.groupThreshold}`, r.small) +
    `<p>未排名 unranked: ${r.unranked.length}</p>`
  );
}

const STYLE = `
  body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
  h1 { font-size: 1.5em; } h2 { border-bottom: 2px solid #3b6ea5; padding-bottom: .2em; margin-top: 1.6em; }
  table { border-collapse: collapse; margin: .5em 0; font-size: .85em; } th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: right; }
  th:first-child, td:first-child, td:nth-child(2) { text-align: left; } thead { background: #eef2f7; }
  figure { margin: .5em 0 1em; } figcaption { font-weight: bold; margin-bottom: .3em; }
  svg text { font-size: 11px; fill: #222; } svg rect { fill: #3b6ea5; } .empty { color: #888; }
  .charts { display: flex; flex-wrap: wrap; gap: 1em; }
  @media print { body { margin: 0; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } }`;

/** The report as one printable page: tables of the figures and inline SVG charts. */
export function reportHtml(r: ReportView, names: ReportNames): string {
  const o = r.overview;
  const bars = (items: { key: string | null; tickets: number }[], label: (key: string | null) => string, limit = 15) =>
    items.slice(0, limit).map((b) => ({ label: label(b.key), value: b.tickets }));
  const enumName = (vocabulary: Record<string, string>) => (key: string | null) => (key === null ? '未分类' : (vocabulary[key] ?? key));
  const topic = (code: string | null | undefined) => withCode(names.topics, code);
  const region = (code: string | null | undefined) => withCode(names.regions, code);
  const unit = (id: string | null | undefined) => (id ? withCode(names.units, id) : '');
  const notable = (title: string, list: ReportView['notable']['overdue']) =>
    `<h3>${esc(title)} (${list.total})</h3>` +
    table(
      ['工单 ticket', '单位 unit', '诉求 topic', '区域 district', '受理 received', '时限 due', '回复 replied', '状态 status'],
      list.tickets.map((t) => [t.id, unit(t.unitId), topic(t.topic), t.regionCode ? region(t.regionCode) : '', shanghaiTime(t.receivedAt), t.dueBy ? shanghaiTime(t.dueBy) : '', t.repliedAt ? shanghaiTime(t.repliedAt) : '', t.status]),
    );
  const hotspot = (list: ReportView['hotspots']['topics'], name: (code: string | null) => string) =>
    table(['名称 name (code)', '本期 count', '预期 expected', 'z', 'p', 'method'], list.map((h) => [name(h.key), h.count, h.expected.toFixed(1), h.z.toFixed(1), h.pValue.toPrecision(2), h.method]));
  const title = `12345 政务服务便民热线 ${PERIOD_TITLES[r.period]} ${r.range.firstDay === r.range.lastDay ? r.range.firstDay : `${r.range.firstDay} – ${r.range.lastDay}`}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>报告 ${esc(r.id)} · 生成于 generated ${esc(shanghaiTime(r.generatedAt))} · 政策版本 policy v${r.policyVersion} · 基本满意权重 ${o.basicallySatisfiedWeight}</p>
<h2>总体情况 Overview</h2>
<p>环比 compared with ${esc(o.monthOnMonthPeriod.firstDay)} – ${esc(o.monthOnMonthPeriod.lastDay)}; 同比 with ${esc(o.yearOnYearPeriod.firstDay)} – ${esc(o.yearOnYearPeriod.lastDay)}.
峰值日 peak day: ${o.peakDay ? `${esc(o.peakDay.day)} (${o.peakDay.tickets})` : '—'}</p>
${headlineTable(o)}
${dayChart(o.byDay)}
<div class="charts">
${barChart('渠道 by channel', bars(o.byChannel, enumName(CHANNEL_NAMES)))}
${barChart('类型 by type', bars(o.byType, enumName(TYPE_NAMES)))}
${barChart('诉求 by topic (top 15)', bars(o.byTopic, topic))}
${barChart('区域 by district (事发地)', bars(o.byRegion, region))}
</div>
<h2>营商环境 Business environment</h2>
<p>占比 share ${percent(o.businessEnvironment.share.value)} (${o.businessEnvironment.share.numerator} / ${o.businessEnvironment.share.denominator})</p>
${headlineTable(o.businessEnvironment)}
${rankingSection(`综合排名 · 单位 Units (${r.rankings.basis})`, r.rankings.unit, names)}
${rankingSection(`综合排名 · 县区 Counties (${r.rankings.basis})`, r.rankings.county, names)}
${
  r.interviews
    ? `<h2>约谈 Interviews</h2><p>bottom ${r.interviews.bottom} of their group in ${esc(r.interviews.months.join(', '))}</p>` +
      table(['单位 unit', ...r.interviews.months.map((m) => `${m} score`)], r.interviews.cases.map((c) => [withCode({ ...names.units, ...(c.name ? { [c.id]: c.name } : {}) }, c.id), ...c.positions.map((p) => p.score.toFixed(2))]))
    : ''
}
<h2>热点预警 Hot spots</h2>
<p>against the ${r.hotspots.policy.baselineDays} days before; flagged at z ≥ ${r.hotspots.policy.zThreshold} and at least ${r.hotspots.policy.minCount} tickets</p>
<h3>诉求 Topics</h3>${hotspot(r.hotspots.topics, topic)}
<h3>区域 Districts</h3>${hotspot(r.hotspots.regions, region)}
<h3>同一地点 Place clusters</h3>
${table(['区域 district', '诉求 topic', '地址 address', '工单 tickets'], r.hotspots.placeClusters.map((c) => [region(c.regionCode), topic(c.topic), c.address, c.tickets]))}
<h3>重复来电 Repeat callers</h3>
${table(['电话 phone', '工单 tickets', '诉求 topics'], r.hotspots.repeatCallers.map((c) => [c.phone, c.tickets, c.topics.join(' ')]))}
<h2>重点工单 Notable tickets</h2>
${notable('逾期 Overdue', r.notable.overdue)}
${notable('升级 Escalated', r.notable.escalated)}
${notable('不满意 Dissatisfied', r.notable.dissatisfied)}
</body></html>
`;
}
