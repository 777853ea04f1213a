/**
 * The charts: Apache ECharts, tree-shaken to the chart types used here, rendering SVG (the charts are
 * part of the DOM, so screen readers, tests and the SVG export see real elements; zrender 6 writes
 * styles through the CSSOM, which the CSP allows). Tooltips are built here from escaped text with
 * classes only: ECharts' default tooltip markup carries style attributes, which the CSP refuses.
 */
import { BarChart, CustomChart, GraphChart, HeatmapChart, ScatterChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { RULES } from '../../src/common/rules';
import type { DurationRow, GraphPayload, HotspotRow, MatrixPayload, TimelinePayload, UsagePayload } from '../../src/core/dashboard/protocol';
import { esc } from './dom';
import { clock, int, pct, seconds, shortDate } from '../../src/common/format';
import type { Theme } from './theme';

echarts.use([BarChart, CustomChart, GraphChart, HeatmapChart, ScatterChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export type Option = EChartsCoreOption;

/** What a click on a chart means for the dashboard. */
export type ChartAction = { kind: 'skill'; skill: string } | { kind: 'project'; projectId: string } | { kind: 'session'; index: number };

export interface ChartHandle {
  chart: ECharts;
  option: Option;
}

/** Creates (or replaces) the chart in `el`. */
export function mount(el: HTMLElement, option: Option, onAction?: (a: ChartAction) => void, actionOf?: (params: ClickParams) => ChartAction | undefined): ChartHandle {
  echarts.getInstanceByDom(el)?.dispose();
  const chart = echarts.init(el, null, { renderer: 'svg' });
  chart.setOption(option);
  if (onAction && actionOf) {
    chart.on('click', (params) => {
      const action = actionOf(params as unknown as ClickParams);
      if (action) onAction(action);
    });
  }
  return { chart, option };
}

export interface ClickParams {
  componentType: string;
  seriesName?: string;
  seriesIndex?: number;
  dataIndex?: number;
  name?: string;
  value?: unknown;
  data?: unknown;
  targetType?: string;
  /** Axis label clicks (triggerEvent). */
  xAxisIndex?: number;
  yAxisIndex?: number;
}

export function dispose(el: Element): void {
  echarts.getInstanceByDom(el as HTMLElement)?.dispose();
}

export function resize(el: Element): void {
  echarts.getInstanceByDom(el as HTMLElement)?.resize();
}

/** The chart as SVG text, on the theme's background (for export). */
export function toSvg(handle: ChartHandle, background: string): string {
  handle.chart.setOption({ backgroundColor: background });
  const svg = handle.chart.renderToSVGString();
  handle.chart.setOption({ backgroundColor: 'transparent' });
  return svg;
}

/** The chart as a PNG data URL (the SVG drawn onto a canvas at twice the size). */
export async function toPng(handle: ChartHandle, background: string): Promise<string> {
  const svg = toSvg(handle, background);
  const width = handle.chart.getWidth();
  const height = handle.chart.getHeight();
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = width * 2;
  canvas.height = height * 2;
  const g = canvas.getContext('2d')!;
  g.fillStyle = background;
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png');
}

// ------------------------------------------------------------------------------------------------
// shared option parts

function base(t: Theme): Option {
  return {
    animation: false,
    backgroundColor: 'transparent',
    color: t.palette,
    textStyle: { fontFamily: t.font, fontSize: t.fontSize - 1, color: t.fg },
    aria: { enabled: t.highContrast, label: { enabled: false }, decal: { show: t.highContrast } },
  };
}

function tooltip(t: Theme, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    className: 'sm-tooltip',
    backgroundColor: t.widgetBg,
    borderColor: t.border,
    borderWidth: 1,
    padding: [6, 8],
    textStyle: { color: t.fg, fontFamily: t.font, fontSize: t.fontSize - 1 },
    confine: true,
    transitionDuration: 0,
    ...extra,
  };
}

function axis(t: Theme, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: t.lines } },
    axisTick: { lineStyle: { color: t.lines } },
    axisLabel: { color: t.muted, fontFamily: t.font, fontSize: t.fontSize - 2 },
    splitLine: { lineStyle: { color: t.grid, opacity: t.highContrast ? 0.6 : 0.35 } },
    nameTextStyle: { color: t.muted },
    ...extra,
  };
}

const swatch = (i: number | 'other' | 'ok' | 'fail' | 'warn'): string => `<span class="swatch swatch-${i}"></span>`;
const row = (label: string, value: string, marker = ''): string => `<div class="tt-row">${marker}<span class="tt-label">${esc(label)}</span><span class="tt-value">${esc(value)}</span></div>`;
const title = (text: string): string => `<div class="tt-title">${esc(text)}</div>`;

/** A tick step for a duration axis in round units (5 s, 1 min, 5 min, 1 h, ...), about five ticks. */
export function durationStep(max: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];
  return steps.find((s) => max / s <= 6) ?? 86_400;
}

/** Success colour of a rate, by the definitions' thresholds. */
export function rateColor(t: Theme, rate: number | null, enough = true): string {
  if (rate === null || !enough) return t.muted;
  if (rate < RULES.lowSuccessRate) return t.red;
  if (rate > RULES.highSuccessRate) return t.green;
  return t.yellow;
}

// ------------------------------------------------------------------------------------------------
// options

/** Invocations per day/week, stacked by the top skills, the rest as "other". */
export function usageOption(u: UsagePayload, t: Theme, stacked = true): Option {
  const names = u.series.map((s) => s.skill);
  const hasOther = stacked && u.other.some((v) => v > 0);
  return {
    ...base(t),
    grid: { left: 8, right: 12, top: names.length > 1 ? 34 : 12, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    legend: names.length > 1 ? { top: 0, left: 0, type: 'scroll', icon: 'roundRect', itemWidth: 10, itemHeight: 10, textStyle: { color: t.fg }, pageIconColor: t.fg, pageTextStyle: { color: t.muted } } : undefined,
    tooltip: tooltip(t, {
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: t.lines, opacity: 0.15 } },
      formatter: (params: { dataIndex: number; seriesIndex: number; seriesName: string; value: number }[]) => {
        const i = params[0]?.dataIndex ?? 0;
        const total = params.reduce((s, p) => s + (p.value || 0), 0);
        const lines = params.filter((p) => p.value > 0).reverse().map((p) => row(p.seriesName, int(p.value), swatch(p.seriesName === 'other' ? 'other' : p.seriesIndex)));
        return `${title(`${u.granularity === 'weekly' ? 'Week of ' : ''}${u.labels[i] ?? ''}`)}${lines.join('')}${params.length > 1 ? row('Total', int(total)) : ''}`;
      },
    }),
    xAxis: axis(t, { type: 'category', data: u.labels, axisLabel: { color: t.muted, fontSize: t.fontSize - 2, formatter: (v: string) => shortDate(v), hideOverlap: true } }),
    yAxis: axis(t, { type: 'value', minInterval: 1 }),
    series: [
      ...u.series.map((s, i) => ({
        name: s.skill,
        type: 'bar',
        stack: stacked ? 'usage' : undefined,
        data: s.counts,
        barMaxWidth: 26,
        large: u.labels.length > 400,
        emphasis: { focus: 'series' },
        itemStyle: { color: t.palette[i % t.palette.length], borderRadius: stacked && i === u.series.length - 1 && !hasOther ? [2, 2, 0, 0] : 0 },
        cursor: 'pointer',
      })),
      ...(hasOther ? [{ name: 'other', type: 'bar', stack: 'usage', data: u.other, barMaxWidth: 26, itemStyle: { color: t.muted, opacity: 0.35, borderRadius: [2, 2, 0, 0] }, emphasis: { focus: 'series' }, cursor: 'default' }] : []),
    ],
  };
}

/** Success rate per skill, coloured by the definitions' thresholds. */
export function successOption(rows: DurationRow[], t: Theme, minEvidence: number): Option {
  return {
    ...base(t),
    grid: { left: 8, right: 44, top: 8, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: tooltip(t, {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const r = rows[p.dataIndex]!;
        return `${title(r.skill)}${row('Success rate', pct(r.successRate))}${row('Invocations', int(r.total))}${r.enoughEvidence ? '' : `<div class="tt-note">Not enough data (fewer than ${minEvidence} invocations)</div>`}`;
      },
    }),
    xAxis: axis(t, { type: 'value', min: 0, max: 1, axisLabel: { color: t.muted, fontSize: t.fontSize - 2, formatter: (v: number) => pct(v) } }),
    yAxis: axis(t, { type: 'category', inverse: true, data: rows.map((r) => r.skill), triggerEvent: true, axisLabel: { color: t.fg, fontSize: t.fontSize - 1, width: 150, overflow: 'truncate' }, splitLine: { show: false } }),
    series: [{
      type: 'bar',
      name: 'Success rate',
      barMaxWidth: 14,
      cursor: 'pointer',
      data: rows.map((r) => ({ value: r.successRate, itemStyle: { color: rateColor(t, r.successRate, r.enoughEvidence), borderRadius: [0, 2, 2, 0] } })),
      label: { show: true, position: 'right', color: t.fg, formatter: (p: { dataIndex: number }) => (rows[p.dataIndex]!.enoughEvidence ? pct(rows[p.dataIndex]!.successRate) : `${pct(rows[p.dataIndex]!.successRate)}*`) },
      markLine: undefined,
    }],
  };
}

/** Duration distribution per skill: median and 95th percentile side by side. */
export function durationsOption(rows: DurationRow[], t: Theme): Option {
  return {
    ...base(t),
    grid: { left: 8, right: 16, top: 30, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    legend: { top: 0, left: 0, icon: 'roundRect', itemWidth: 10, itemHeight: 10, textStyle: { color: t.fg }, data: ['p50', 'p95'] },
    tooltip: tooltip(t, {
      trigger: 'axis',
      axisPointer: { type: 'shadow', shadowStyle: { color: t.lines, opacity: 0.15 } },
      formatter: (params: { dataIndex: number }[]) => {
        const r = rows[params[0]?.dataIndex ?? 0]!;
        return `${title(r.skill)}${row('Median (p50)', seconds(r.p50), swatch(0))}${row('95th percentile', seconds(r.p95), swatch(1))}${row('Mean', seconds(r.avg))}${row('Invocations', int(r.total))}`;
      },
    }),
    xAxis: axis(t, { type: 'value', interval: durationStep(Math.max(1, ...rows.map((r) => r.p95 ?? r.p50 ?? 0))), axisLabel: { color: t.muted, fontSize: t.fontSize - 2, hideOverlap: true, formatter: (v: number) => (v === 0 ? '0' : seconds(v)) } }),
    yAxis: axis(t, { type: 'category', inverse: true, data: rows.map((r) => r.skill), triggerEvent: true, axisLabel: { color: t.fg, fontSize: t.fontSize - 1, width: 150, overflow: 'truncate' }, splitLine: { show: false } }),
    series: [
      { name: 'p50', type: 'bar', data: rows.map((r) => r.p50), barMaxWidth: 9, barGap: '20%', itemStyle: { color: t.blue, borderRadius: [0, 2, 2, 0] }, cursor: 'pointer' },
      { name: 'p95', type: 'bar', data: rows.map((r) => r.p95), barMaxWidth: 9, itemStyle: { color: t.orange, borderRadius: [0, 2, 2, 0] }, cursor: 'pointer' },
    ],
  };
}

/** Skills x projects: invocations (colour) with the success rate in the tooltip. */
export function matrixOption(m: MatrixPayload, t: Theme): Option {
  const data = m.cells.map((c) => [m.projects.findIndex((p) => p.id === c.projectId), m.skills.indexOf(c.skill), c.total, c.successRate]);
  const max = Math.max(1, ...m.cells.map((c) => c.total));
  return {
    ...base(t),
    grid: { left: 8, right: 12, top: 8, bottom: 48, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: tooltip(t, {
      trigger: 'item',
      formatter: (p: { data: number[] }) => {
        const [x, y, total, rate] = p.data as [number, number, number, number];
        return `${title(`${m.skills[y]} in ${m.projects[x]?.name ?? ''}`)}${row('Invocations', int(total))}${row('Success rate', pct(rate))}`;
      },
    }),
    xAxis: axis(t, { type: 'category', data: m.projects.map((p) => p.name), triggerEvent: true, splitArea: { show: false }, axisLabel: { color: t.fg, fontSize: t.fontSize - 2, rotate: m.projects.length > 6 ? 30 : 0, width: 110, overflow: 'truncate', interval: 0 } }),
    yAxis: axis(t, { type: 'category', inverse: true, data: m.skills, triggerEvent: true, axisLabel: { color: t.fg, fontSize: t.fontSize - 1, width: 150, overflow: 'truncate' } }),
    visualMap: {
      min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, itemWidth: 10,
      text: [int(max), '0'], textStyle: { color: t.muted }, inRange: { color: [t.bg, t.blue] }, dimension: 2,
    },
    series: [{
      type: 'heatmap',
      data,
      cursor: 'pointer',
      label: { show: true, color: t.fg, fontSize: t.fontSize - 2, textBorderColor: t.bg, textBorderWidth: 2, formatter: (p: { data: number[] }) => int(p.data[2]!) },
      itemStyle: { borderColor: t.bg, borderWidth: 2, borderRadius: 2 },
      emphasis: { itemStyle: { borderColor: t.focus, borderWidth: 2 } },
    }],
  };
}

/** Skills used in the same sessions: nodes are skills, edges pairs (width: sessions, tooltip: lift). */
export function graphOption(graph: GraphPayload, t: Theme, maxNodes = 16): Option {
  const total = new Map<string, number>();
  for (const p of graph.pairs) {
    total.set(p.a, (total.get(p.a) ?? 0) + p.sessions);
    total.set(p.b, (total.get(p.b) ?? 0) + p.sessions);
  }
  // The most connected skills only: a readable circle, not a hairball (the table lists every pair).
  const keep = new Set([...total.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, maxNodes).map(([k]) => k));
  const g = { ...graph, pairs: graph.pairs.filter((p) => keep.has(p.a) && keep.has(p.b)) };
  const weight = new Map<string, number>();
  for (const p of g.pairs) {
    weight.set(p.a, (weight.get(p.a) ?? 0) + p.sessions);
    weight.set(p.b, (weight.get(p.b) ?? 0) + p.sessions);
  }
  const maxW = Math.max(1, ...weight.values());
  const maxS = Math.max(1, ...g.pairs.map((p) => p.sessions));
  const nodes = [...weight.entries()].map(([name, w], i) => ({
    name,
    value: w,
    symbolSize: 10 + 22 * Math.sqrt(w / maxW),
    itemStyle: { color: t.palette[i % t.palette.length], borderColor: t.bg, borderWidth: 1.5 },
  }));
  return {
    ...base(t),
    tooltip: tooltip(t, {
      trigger: 'item',
      formatter: (p: { dataType: string; data: { name?: string; value?: number; source?: string; target?: string; sessions?: number; lift?: number } }) =>
        p.dataType === 'edge'
          ? `${title(`${p.data.source} + ${p.data.target}`)}${row('Sessions with both', int(p.data.sessions ?? 0))}${row('Lift', (p.data.lift ?? 0).toFixed(2))}`
          : `${title(p.data.name ?? '')}${row('Sessions with another skill', int(p.data.value ?? 0))}`,
    }),
    series: [{
      type: 'graph',
      // Circular: deterministic, and no label runs off the chart (a force layout does both).
      layout: 'circular',
      circular: { rotateLabel: true },
      left: 130,
      right: 130,
      top: 110,
      bottom: 110,
      roam: false,
      draggable: false,
      cursor: 'pointer',
      label: { show: true, position: 'outside', color: t.fg, fontSize: t.fontSize - 2, formatter: (p: { name: string }) => (p.name.length > 17 ? `${p.name.slice(0, 16)}…` : p.name) },
      emphasis: { focus: 'adjacency', lineStyle: { width: 4 } },
      lineStyle: { color: t.lines, opacity: 0.6, curveness: 0.25 },
      data: nodes,
      links: g.pairs.map((p) => ({ source: p.a, target: p.b, sessions: p.sessions, lift: p.lift, lineStyle: { width: 1 + 5 * (p.sessions / maxS) } })),
    }],
  };
}

/** A horizontal bar per row: label, value, colour, tooltip lines. */
export function barListOption(items: { label: string; value: number; color?: string; tip?: [string, string][]; display?: string }[], t: Theme, valueFormat: (v: number) => string = int): Option {
  return {
    ...base(t),
    grid: { left: 8, right: 56, top: 6, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: tooltip(t, {
      trigger: 'item',
      formatter: (p: { dataIndex: number }) => {
        const it = items[p.dataIndex]!;
        return `${title(it.label)}${(it.tip ?? [['Value', valueFormat(it.value)]]).map(([k, v]) => row(k, v)).join('')}`;
      },
    }),
    xAxis: axis(t, { type: 'value', minInterval: 1, axisLabel: { color: t.muted, fontSize: t.fontSize - 2, formatter: (v: number) => valueFormat(v) } }),
    yAxis: axis(t, { type: 'category', inverse: true, data: items.map((i) => i.label), triggerEvent: true, axisLabel: { color: t.fg, fontSize: t.fontSize - 1, width: 170, overflow: 'truncate' }, splitLine: { show: false } }),
    series: [{
      type: 'bar',
      barMaxWidth: 14,
      cursor: 'pointer',
      data: items.map((i) => ({ value: i.value, itemStyle: { color: i.color ?? t.blue, borderRadius: [0, 2, 2, 0] } })),
      label: { show: true, position: 'right', color: t.fg, formatter: (p: { dataIndex: number }) => items[p.dataIndex]!.display ?? valueFormat(items[p.dataIndex]!.value) },
    }],
  };
}

export function hotspotItems(rows: HotspotRow[], t: Theme): { label: string; value: number; color: string; tip: [string, string][]; display: string }[] {
  return rows.map((h) => ({
    label: h.errorType,
    value: h.failures,
    color: t.red,
    display: `${int(h.failures)} · ${pct(h.share)}`,
    tip: [['Failures', int(h.failures)], ['Share of all failures', pct(h.share)], ...h.skills.map((s): [string, string] => [s.skill, int(s.failures)])],
  }));
}

/** One session on one time axis: a row per skill (bars from start over the duration) and a workflow row. */
export function timelineOption(tl: TimelinePayload, t: Theme, zone: string): Option {
  const skills: string[] = [];
  for (const i of tl.invocations) if (!skills.includes(i.skill)) skills.push(i.skill);
  const rows = [...(tl.events.length ? ['workflow'] : []), ...skills];
  const times = [...tl.invocations.flatMap((i) => [i.at, i.at + (i.duration ?? 0) * 1000]), ...tl.events.map((e) => e.at)];
  const min = Math.min(...times);
  const max = Math.max(...times);
  const pad = Math.max(30_000, (max - min) * 0.04);
  const bars = tl.invocations.map((i) => ({
    value: [rows.indexOf(i.skill), i.at, i.at + (i.duration ?? 0) * 1000],
    inv: i,
    itemStyle: { color: i.completed ? t.green : t.red },
  }));
  const events = tl.events.map((e) => ({
    value: [e.at, 'workflow'],
    ev: e,
    symbol: e.type.includes('started') ? 'triangle' : e.type.includes('completed') && !e.node ? 'diamond' : 'circle',
    symbolSize: e.node ? 9 : 12,
    itemStyle: { color: e.success === false || e.type.includes('fail') ? t.red : e.type.includes('node') ? t.purple : t.blue, borderColor: t.bg, borderWidth: 1 },
  }));
  return {
    ...base(t),
    grid: { left: 8, right: 16, top: 8, bottom: 4, outerBoundsMode: 'same', outerBoundsContain: 'axisLabel' },
    tooltip: tooltip(t, {
      trigger: 'item',
      formatter: (p: { data: { inv?: TimelinePayload['invocations'][number]; ev?: TimelinePayload['events'][number] } }) => {
        const { inv, ev } = p.data;
        if (inv) {
          return `${title(inv.skill)}${row('Started', clock(inv.at, zone))}${row('Duration', seconds(inv.duration))}${row('Result', inv.completed ? 'completed' : inv.pending ? 'in progress' : inv.error ? `failed: ${inv.error}` : 'not completed', swatch(inv.completed ? 'ok' : 'fail'))}${inv.workflowPath ? row('Workflow path', inv.workflowPath) : ''}`;
        }
        if (ev) return `${title(ev.node ? `${ev.type}: ${ev.node}` : ev.type)}${row('At', clock(ev.at, zone))}${ev.duration !== null ? row('Duration', seconds(ev.duration)) : ''}${ev.success !== null ? row('Success', ev.success ? 'yes' : 'no') : ''}`;
        return '';
      },
    }),
    xAxis: axis(t, { type: 'time', min: min - pad, max: max + pad, axisLabel: { color: t.muted, fontSize: t.fontSize - 2, hideOverlap: true, formatter: (v: number) => clock(v, zone).slice(0, 5) } }),
    yAxis: axis(t, { type: 'category', inverse: true, data: rows, triggerEvent: true, axisLabel: { color: t.fg, fontSize: t.fontSize - 1, width: 150, overflow: 'truncate' }, splitLine: { show: true, lineStyle: { color: t.grid, opacity: 0.25 } } }),
    series: [
      {
        type: 'custom',
        name: 'skills',
        cursor: 'pointer',
        encode: { x: [1, 2], y: 0 },
        data: bars,
        renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (v: number[]) => number[]; size: (v: number[]) => number[]; visual: (k: string) => unknown }) => {
          const y = api.value(0);
          const start = api.coord([api.value(1), y]);
          const end = api.coord([api.value(2), y]);
          const h = api.size([0, 1])[1]! * 0.5;
          return { type: 'rect', shape: { x: start[0], y: start[1]! - h / 2, width: Math.max(4, end[0]! - start[0]!), height: h, r: 2 }, style: { fill: api.visual('color') } };
        },
      },
      { type: 'scatter', name: 'workflow', data: events, z: 3 },
    ],
  };
}
