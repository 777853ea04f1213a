/**
 * The Skill Metrics dashboard (webview). It keeps only UI state (filters, page, selected session, table
 * sort: getState/setState), asks the host for each view's aggregated data, and draws it. Protocol:
 * src/views/dashboard/protocol.ts.
 */
import '@vscode/codicons/dist/codicon.css';
import './dashboard.css';
import { RULES } from '../../src/common/rules';
import type {
  ChartId, DashboardState, EmptyReason, ExportFormat, Filters, HostCommand, HostMessage, KeyFiguresPayload, OverviewPayload, Page, Payload,
  ProjectOption, RecommendationRow, SessionRow, SkillPayload, TimelinePayload, TopSkillColumn, TopSkillRow, TrendRow, WebviewMessage,
} from '../../src/core/dashboard/protocol';
import { DEFAULT_STATE, RANGE_PRESETS, STATE_VERSION } from '../../src/core/dashboard/protocol';
import type { ChartAction, ChartHandle, ClickParams, Option } from './charts';
import { barListOption, durationsOption, graphOption, hotspotItems, matrixOption, mount, rateColor, resize, successOption, timelineOption, toPng, toSvg, usageOption } from './charts';
import type { Child } from './dom';
import { activatable, h, icon, miniBars, sparkline } from './dom';
import { ago, dateTime, day, int, pct, plural, seconds, shortDate, signedPct, signedPoints } from '../../src/common/format';
import type { Theme } from './theme';
import { onThemeChange, readTheme } from './theme';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

// Any CSP violation is recorded where tests (and a curious developer) can see it, and logged.
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => {
  violations.push(`${e.violatedDirective} ${e.blockedURI || ''} ${e.sourceFile || ''}:${e.lineNumber}`);
  document.body.dataset.cspViolations = String(violations.length);
  console.error(`CSP violation: ${violations[violations.length - 1]}`);
});

// ------------------------------------------------------------------------------------------------
// state

function restoredState(): DashboardState | null {
  const s = vscode.getState() as DashboardState | undefined;
  return s && s.v === STATE_VERSION ? s : null;
}

let state: DashboardState = restoredState() ?? structuredClone(DEFAULT_STATE);
let projects: ProjectOption[] = [];
let zone = 'UTC';
let minEvidence = 5;
let payload: Payload | undefined;
let lastId = 0;
let pendingId = -1;
let sessionRequest = -1;
let theme: Theme = readTheme();
const charts = new Map<ChartId, ChartHandle>();

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function persist(): void {
  vscode.setState(state);
  post({ type: 'state', state });
}

function query(quiet = false): void {
  pendingId = ++lastId;
  post({ type: 'query', id: pendingId, filters: state.filters, page: state.page, session: state.session });
  setBusy(true, quiet);
}

function update(patch: { filters?: Partial<Filters>; page?: Page; session?: DashboardState['session'] }): void {
  const filters = { ...state.filters, ...patch.filters };
  if (filters.range !== 'custom') {
    delete filters.since;
    delete filters.until;
  }
  state = { ...state, filters, page: patch.page ?? state.page, session: patch.session !== undefined ? patch.session : patch.page || patch.filters ? null : state.session };
  persist();
  syncHeader();
  query();
}

const openSkill = (skill: string): void => {
  update({ page: { kind: 'skill', skill } });
  window.scrollTo({ top: 0 });
};
const openProject = (projectId: string | null): void => {
  update({ filters: { project: projectId }, page: { kind: 'overview' } });
  window.scrollTo({ top: 0 });
};

function onChartAction(a: ChartAction): void {
  if (a.kind === 'skill') openSkill(a.skill);
  else if (a.kind === 'project') openProject(a.projectId);
}

// ------------------------------------------------------------------------------------------------
// layout: header (filters) once, content per view

const app = document.getElementById('app')!;
const status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
const content = h('main', { id: 'content', class: 'content', 'aria-live': 'off' });
const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Location' });

const projectSelect = h('select', { id: 'filter-project', 'aria-label': 'Project', onchange: () => openProject(projectSelect.value || null) });
const rangeButtons = new Map<string, HTMLButtonElement>();
const rangeGroup = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time range' },
  ...[...RANGE_PRESETS, 'custom' as const].map((r) => {
    const b = h('button', { type: 'button', class: 'seg', 'data-range': r, 'aria-pressed': 'false', onclick: () => (r === 'custom' ? showCustom() : update({ filters: { range: r } })) },
      r === 'custom' ? 'Dates…' : r === 'all' ? 'All' : r === 'today' ? 'Today' : r.replace('d', ' days'));
    rangeButtons.set(r, b);
    return b;
  }),
);
const sinceInput = h('input', { type: 'date', id: 'filter-since', 'aria-label': 'From (inclusive)' });
const untilInput = h('input', { type: 'date', id: 'filter-until', 'aria-label': 'To (inclusive)' });
const customBox = h('form', { class: 'custom-range hidden', 'aria-label': 'Custom dates', onsubmit: (e: Event) => {
  e.preventDefault();
  const since = sinceInput.value || undefined;
  const until = untilInput.value || undefined;
  if (since && until && since > until) {
    say('The start date is after the end date.', true);
    return;
  }
  update({ filters: { range: 'custom', since, until } });
} }, sinceInput, h('span', { class: 'muted' }, 'to'), untilInput, h('button', { type: 'submit', class: 'btn secondary' }, 'Apply'));
const granButtons = new Map<string, HTMLButtonElement>();
const granGroup = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Buckets' },
  ...(['daily', 'weekly'] as const).map((g) => {
    const b = h('button', { type: 'button', class: 'seg', 'aria-pressed': 'false', onclick: () => update({ filters: { granularity: g } }) }, g === 'daily' ? 'Daily' : 'Weekly');
    granButtons.set(g, b);
    return b;
  }),
);
const refreshButton = h('button', { type: 'button', class: 'icon-btn', title: 'Refresh', 'aria-label': 'Refresh', onclick: () => query() }, icon('refresh'));
const timing = h('span', { class: 'timing muted', 'aria-hidden': 'true' });

function showCustom(): void {
  customBox.classList.remove('hidden');
  sinceInput.value = state.filters.since ?? '';
  untilInput.value = state.filters.until ?? '';
  sinceInput.focus();
}

app.append(
  h('header', { class: 'topbar' },
    h('div', { class: 'title-row' }, h('h1', {}, icon('graph'), ' Skill Metrics'), crumbs, h('span', { class: 'spacer' }), timing, refreshButton),
    h('div', { class: 'filters' },
      h('label', { class: 'field', for: 'filter-project' }, icon('folder-library'), projectSelect),
      rangeGroup, customBox, granGroup,
    ),
  ),
  status,
  content,
);

function syncHeader(): void {
  const f = state.filters;
  projectSelect.replaceChildren(
    h('option', { value: '' }, `All projects (${projects.length})`),
    ...projects.map((p) => h('option', { value: p.id }, `${p.name} · ${int(p.invocations)}`)),
  );
  projectSelect.value = f.project && projects.some((p) => p.id === f.project) ? f.project : '';
  for (const [r, b] of rangeButtons) b.setAttribute('aria-pressed', String(r === f.range));
  for (const [g, b] of granButtons) b.setAttribute('aria-pressed', String(g === f.granularity));
  customBox.classList.toggle('hidden', f.range !== 'custom');
  if (f.range === 'custom') {
    sinceInput.value = f.since ?? '';
    untilInput.value = f.until ?? '';
  }
  const project = projects.find((p) => p.id === f.project);
  const parts: Node[] = [];
  const all = h('button', { type: 'button', class: 'crumb', onclick: () => openProject(null) }, 'All projects');
  parts.push(all);
  if (project) parts.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'), h('button', { type: 'button', class: 'crumb', onclick: () => update({ page: { kind: 'overview' } }) }, project.name));
  if (state.page.kind === 'skill') parts.push(h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'), h('span', { class: 'crumb current', 'aria-current': 'page' }, state.page.skill));
  else (project ? (parts[parts.length - 1] as HTMLElement) : all).setAttribute('aria-current', 'page');
  crumbs.replaceChildren(...parts);
}

let busyTimer: number | undefined;
function setBusy(busy: boolean, quiet = false): void {
  content.setAttribute('aria-busy', String(busy));
  refreshButton.classList.toggle('spinning', busy);
  window.clearTimeout(busyTimer);
  if (busy && !quiet && !payload) renderLoading();
  else if (busy && !quiet) busyTimer = window.setTimeout(() => content.classList.add('stale'), 150);
  else content.classList.remove('stale');
}

let sayTimer: number | undefined;
function say(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle('error', error);
  status.classList.add('visible');
  window.clearTimeout(sayTimer);
  sayTimer = window.setTimeout(() => status.classList.remove('visible'), 6000);
}

// ------------------------------------------------------------------------------------------------
// building blocks

interface CardOptions {
  id: ChartId | string;
  title: string;
  subtitle?: string;
  wide?: boolean;
  exports?: ExportFormat[];
  body: Child;
  table?: HTMLElement;
  extra?: Child;
}

function card(o: CardOptions): HTMLElement {
  const tools: Child[] = [];
  const root: { el?: HTMLElement } = {};
  if (o.table) {
    const toggle = h('button', { type: 'button', class: 'icon-btn', 'aria-pressed': 'false', title: 'Show as table', 'aria-label': `Show ${o.title} as a table` }, icon('table'));
    toggle.addEventListener('click', () => {
      const el = root.el!;
      const on = !el.classList.contains('show-table');
      el.classList.toggle('show-table', on);
      toggle.setAttribute('aria-pressed', String(on));
      if (!on) el.querySelectorAll('.chart').forEach((c) => resize(c));
    });
    tools.push(toggle);
  }
  for (const f of o.exports ?? []) {
    tools.push(h('button', { type: 'button', class: 'export-btn', 'data-format': f, title: `Export as ${f.toUpperCase()}`, 'aria-label': `Export ${o.title} as ${f.toUpperCase()}`, onclick: () => void exportChart(o.id as ChartId, f, o.title) },
      icon(f === 'csv' ? 'table' : f === 'svg' ? 'file-code' : 'file-media'), f.toUpperCase()));
  }
  const headingId = `h-${o.id}`;
  const el = h('section', { class: `card${o.wide ? ' wide' : ''}`, id: `card-${o.id}`, 'data-chart': o.id, 'aria-labelledby': headingId },
    h('div', { class: 'card-head' },
      h('div', { class: 'card-titles' }, h('h2', { id: headingId }, o.title), o.subtitle ? h('div', { class: 'subtitle' }, o.subtitle) : null),
      tools.length ? h('div', { class: 'card-tools' }, ...tools) : null,
    ),
    o.extra ?? null,
    h('div', { class: 'card-body' }, o.body),
    o.table ? h('div', { class: 'table-alt' }, o.table) : null,
  );
  root.el = el;
  return el;
}

/** A table (the text alternative of a chart, or a table in its own right). */
function table(caption: string, headers: string[], rows: Child[][], opts: { numeric?: number[]; rowAction?: (i: number) => [string, () => void] | undefined } = {}): HTMLTableElement {
  return h('table', { class: 'data' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((hd, i) => h('th', { scope: 'col', class: opts.numeric?.includes(i) ? 'num' : '' }, hd)))),
    h('tbody', {}, ...rows.map((r, ri) => {
      const tr = h('tr', {}, ...r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', { class: opts.numeric?.includes(i) ? 'num' : '' }, c))));
      const action = opts.rowAction?.(ri);
      if (action) activatable(tr, action[0], action[1]);
      return tr;
    })),
  );
}

interface PendingChart {
  id: ChartId;
  el: HTMLElement;
  option: (t: Theme) => Option;
  actionOf?: (p: ClickParams) => ChartAction | undefined;
}
let pending: PendingChart[] = [];
let mounted: PendingChart[] = [];

function chartBox(id: ChartId, label: string, size: 'sm' | 'md' | 'lg', option: (t: Theme) => Option, actionOf?: PendingChart['actionOf'], height?: number): HTMLElement {
  const el = h('div', { class: `chart h-${size}`, role: 'img', tabindex: '0', 'aria-label': label, 'data-chart-id': id });
  if (height) el.style.height = `${height}px`; // CSSOM: allowed by the CSP
  pending.push({ id, el, option, actionOf });
  return el;
}

function mountPending(): void {
  for (const p of pending) {
    charts.set(p.id, mount(p.el, p.option(theme), onChartAction, p.actionOf));
    mounted.push(p);
  }
  pending = [];
}

function remountAll(): void {
  theme = readTheme();
  for (const p of mounted) if (p.el.isConnected) charts.set(p.id, mount(p.el, p.option(theme), onChartAction, p.actionOf));
}

function clearCharts(): void {
  for (const h of charts.values()) h.chart.dispose();
  charts.clear();
  mounted = [];
  pending = [];
}

const skillFromAxis = (names: string[]) => (p: ClickParams): ChartAction | undefined => {
  if (p.componentType === 'yAxis' && typeof p.value === 'string') return { kind: 'skill', skill: p.value };
  if (p.componentType === 'series' && p.dataIndex !== undefined && names[p.dataIndex]) return { kind: 'skill', skill: names[p.dataIndex]! };
  return undefined;
};

function figure(label: string, value: string, opts: { delta?: string; deltaClass?: string; hint?: string; id?: string } = {}): HTMLElement {
  return h('div', { class: 'kpi', id: opts.id, role: 'group', 'aria-label': `${label}: ${value}${opts.delta ? `, ${opts.delta}` : ''}` },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value' }, value),
    opts.delta ? h('div', { class: `kpi-delta ${opts.deltaClass ?? ''}` }, opts.delta) : opts.hint ? h('div', { class: 'kpi-delta muted' }, opts.hint) : null,
  );
}

function keyFigures(f: KeyFiguresPayload, rangeLabel: string): HTMLElement {
  const prev = f.previous;
  const vs = 'vs previous period';
  const invDelta = f.change?.invocations ?? null;
  const rateDelta = f.change?.successRate ?? null;
  const medDelta = prev?.medianDuration && f.medianDuration !== null ? f.medianDuration / prev.medianDuration - 1 : null;
  return h('div', { class: 'kpis', id: 'key-figures', role: 'region', 'aria-label': `Key figures, ${rangeLabel}` },
    figure('Invocations', int(f.invocations), { id: 'kpi-invocations', delta: invDelta !== null ? `${signedPct(invDelta)} ${vs}` : undefined, deltaClass: invDelta === null ? '' : invDelta >= 0 ? 'up' : 'down', hint: prev ? `none ${vs}` : rangeLabel }),
    figure('Success rate', pct(f.successRate), { id: 'kpi-success', delta: rateDelta !== null ? `${signedPoints(rateDelta)} ${vs}` : undefined, deltaClass: rateDelta === null ? '' : rateDelta >= 0 ? 'good' : 'bad', hint: `${int(f.completed)} completed` }),
    figure('Median duration', seconds(f.medianDuration), { id: 'kpi-median', delta: medDelta !== null ? `${signedPct(medDelta)} ${vs}` : undefined, deltaClass: medDelta === null ? '' : medDelta <= 0 ? 'good' : 'bad', hint: 'completed invocations' }),
    figure('Active projects', int(f.activeProjects), { id: 'kpi-projects', delta: prev ? `${int(prev.activeProjects)} before` : undefined, hint: 'with invocations' }),
    figure('Skills used', int(f.skills), { id: 'kpi-skills', delta: prev ? `${int(prev.skills)} before` : undefined, hint: 'distinct skills' }),
  );
}

// ------------------------------------------------------------------------------------------------
// empty, loading, error

function renderLoading(): void {
  clearCharts();
  content.replaceChildren(
    h('div', { class: 'kpis skeleton', 'aria-hidden': 'true' }, ...Array.from({ length: 5 }, () => h('div', { class: 'kpi' }, h('div', { class: 'bar' }), h('div', { class: 'bar big' })))),
    h('div', { class: 'loading', role: 'status' }, icon('loading'), ' Loading skill metrics…'),
  );
}

function commandButton(label: string, command: HostCommand, primary = true, codicon?: string): HTMLButtonElement {
  return h('button', { type: 'button', class: `btn${primary ? '' : ' secondary'}`, onclick: () => post({ type: 'command', command }) }, codicon ? icon(codicon) : null, label);
}

function emptyState(reason: Exclude<EmptyReason, null> | 'notFound', label: string, skill?: string): HTMLElement {
  const box = (ic: string, titleText: string, text: string, ...actions: Child[]): HTMLElement =>
    h('div', { class: 'empty', id: 'empty-state', 'data-reason': reason, role: 'region', 'aria-label': titleText },
      h('div', { class: 'empty-icon' }, icon(ic)), h('h2', {}, titleText), h('p', {}, text), h('div', { class: 'actions' }, ...actions));
  switch (reason) {
    case 'noProjects':
      return box('folder-library', 'No projects are registered yet',
        'Skill Metrics reads the skill records AI coding workflows leave in a project\'s .session-buddy folder (it never changes them). Workspace folders are registered automatically; register others here.',
        commandButton('Register Folder…', 'registerFolder', true, 'new-folder'), commandButton('Open Folder', 'openFolder', false));
    case 'noData':
      return box('inbox', 'No skill records yet',
        'Records appear within seconds of a workflow writing to .session-buddy/ in a registered project. Collect now if they were written while the editor was closed.',
        commandButton('Collect Now', 'collectNow', true, 'sync'), commandButton('Register Another Folder…', 'registerFolder', false));
    case 'noDataInRange':
      return box('calendar', `Nothing was recorded in ${label.toLowerCase().startsWith('last') || label === 'Today' ? label.toLowerCase() : label}`,
        'Pick a longer time range, or all time, to see what was recorded before.',
        state.filters.range !== 'all' ? h('button', { type: 'button', class: 'btn', onclick: () => update({ filters: { range: 'all' } }) }, 'Show All Time') : null,
        state.filters.range !== '30d' ? h('button', { type: 'button', class: 'btn secondary', onclick: () => update({ filters: { range: '30d' } }) }, 'Last 30 Days') : null,
        state.filters.project ? h('button', { type: 'button', class: 'btn secondary', onclick: () => openProject(null) }, 'All Projects') : null);
    case 'notFound':
      return box('search', `No invocations of ${skill} in this scope`, 'The skill may be used only in other projects, or not at all any more.',
        h('button', { type: 'button', class: 'btn', onclick: () => update({ page: { kind: 'overview' } }) }, 'Back to Overview'),
        state.filters.project ? h('button', { type: 'button', class: 'btn secondary', onclick: () => update({ filters: { project: null } }) }, 'All Projects') : null);
  }
}

function renderError(message: string): void {
  clearCharts();
  content.replaceChildren(
    h('div', { class: 'empty error', id: 'error-state', role: 'alert' },
      h('div', { class: 'empty-icon' }, icon('error')),
      h('h2', {}, 'The dashboard could not be loaded'),
      h('p', {}, message),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn', onclick: () => query() }, 'Retry'), commandButton('Show Log', 'showLog', false))),
  );
}

// ------------------------------------------------------------------------------------------------
// overview

const SORTS: Record<TopSkillColumn, (a: TopSkillRow, b: TopSkillRow) => number> = {
  skill: (a, b) => a.skill.localeCompare(b.skill),
  total: (a, b) => a.total - b.total,
  successRate: (a, b) => a.successRate - b.successRate,
  p95: (a, b) => (a.p95 ?? -1) - (b.p95 ?? -1),
  projects: (a, b) => a.projects - b.projects,
  lastUsed: (a, b) => (a.lastUsed ?? 0) - (b.lastUsed ?? 0),
};

function topSkillsTable(rows: TopSkillRow[], usageLabels: string[]): HTMLElement {
  const { column, descending } = state.sort;
  const sorted = [...rows].sort((a, b) => (descending ? -1 : 1) * SORTS[column](a, b) || a.skill.localeCompare(b.skill));
  const head = (label: string, col: TopSkillColumn, num = false): HTMLElement => {
    const active = col === column;
    return h('th', { scope: 'col', class: num ? 'num' : '', 'aria-sort': active ? (descending ? 'descending' : 'ascending') : 'none' },
      h('button', { type: 'button', class: 'sort', onclick: () => {
        state = { ...state, sort: { column: col, descending: active ? !descending : col !== 'skill' } };
        persist();
        const wrap = document.getElementById('top-skills-table');
        wrap?.replaceWith(topSkillsTable(rows, usageLabels));
        document.querySelector<HTMLButtonElement>(`#top-skills-table th[aria-sort]:not([aria-sort="none"]) button`)?.focus();
      } }, label, icon(active ? (descending ? 'arrow-down' : 'arrow-up') : 'blank')));
  };
  const range = usageLabels.length ? `${shortDate(usageLabels[0]!)} to ${shortDate(usageLabels[usageLabels.length - 1]!)}` : '';
  return h('div', { class: 'table-scroll', id: 'top-skills-table' },
    h('table', { class: 'data top-skills' },
      h('caption', { class: 'sr-only' }, 'Top skills; activate a row to open the skill'),
      h('thead', {}, h('tr', {}, head('Skill', 'skill'), head('Invocations', 'total', true), h('th', { scope: 'col' }, 'Use over time'), head('Success', 'successRate', true), head('p95', 'p95', true), head('Projects', 'projects', true), head('Last used', 'lastUsed', true))),
      h('tbody', {}, ...sorted.map((r) => activatable(
        h('tr', { 'data-skill': r.skill },
          h('th', { scope: 'row' }, h('span', { class: 'skill-name' }, r.skill)),
          h('td', { class: 'num' }, int(r.total)),
          h('td', { class: 'spark' }, sparkline(r.spark, `${r.skill}: ${int(r.total)} invocations ${range}`)),
          h('td', { class: 'num' }, r.enoughEvidence ? h('span', { class: `rate ${rateClass(r.successRate)}` }, pct(r.successRate)) : h('span', { class: 'muted', title: `fewer than ${minEvidence} invocations` }, 'n/a')),
          h('td', { class: 'num' }, seconds(r.p95)),
          h('td', { class: 'num' }, int(r.projects)),
          h('td', { class: 'num muted' }, ago(r.lastUsed)),
        ),
        `${r.skill}: ${int(r.total)} invocations, success ${pct(r.successRate)}. Open the skill.`,
        () => openSkill(r.skill),
      ))),
    ),
  );
}

/** A probability as a small bar and a percent (the bar's width through the CSSOM, which the CSP allows). */
function probability(p: number): HTMLElement {
  const fill = h('span', { class: 'pbar-fill' });
  fill.style.width = `${Math.round(p * 100)}%`;
  return h('span', { class: 'prob' }, h('span', { class: 'pbar', 'aria-hidden': 'true' }, fill), pct(p));
}

function rateClass(rate: number | null): string {
  if (rate === null) return '';
  return rate < RULES.lowSuccessRate ? 'bad' : rate > RULES.highSuccessRate ? 'good' : 'warn';
}

function trendsList(rows: TrendRow[], weeks: string[]): HTMLElement {
  const groups: [TrendRow['direction'], string, string][] = [['rising', 'Rising', 'arrow-up'], ['declining', 'Declining', 'arrow-down'], ['stale', `Stale (not used for ${RULES.staleDays} days)`, 'history']];
  const span = weeks.length ? `weeks of ${shortDate(weeks[0]!)} to ${shortDate(weeks[weeks.length - 1]!)}` : '';
  const blocks = groups.map(([dir, label, ic]) => {
    const list = rows.filter((r) => r.direction === dir);
    return h('div', { class: `trend-group trend-${dir}` },
      h('h3', {}, icon(ic), ` ${label} `, h('span', { class: 'count' }, String(list.length))),
      list.length
        ? h('ul', { class: 'trend-list' }, ...list.slice(0, 8).map((r) => h('li', {},
            activatable(h('div', { class: 'trend-row' },
              h('span', { class: 'skill-name' }, r.skill),
              miniBars(r.counts, `${r.skill} per week, ${span}: ${r.counts.join(', ')}`),
              h('span', { class: 'num muted' }, dir === 'stale' ? `last ${ago(r.lastUsed)}` : r.slopePerWeek !== null ? `${r.slopePerWeek > 0 ? '+' : '−'}${Math.abs(r.slopePerWeek).toFixed(1)}/week` : ''),
            ), `${r.skill}, ${label.toLowerCase()}: ${r.counts.join(', ')} per week. Open the skill.`, () => openSkill(r.skill)))),
            list.length > 8 ? h('li', { class: 'muted small more' }, `and ${list.length - 8} more (CSV lists all)`) : null)
        : h('p', { class: 'muted small' }, dir === 'stale' ? 'None.' : 'None with a clear direction.'),
    );
  });
  const steady = rows.filter((r) => r.direction === 'steady').length;
  return h('div', { class: 'trends' }, ...blocks, h('p', { class: 'muted small' }, `${plural(steady, 'skill')} steady; rising and declining need at least ${RULES.trendMinPoints} active weeks and a clear slope.`));
}

function recommendationsList(rows: RecommendationRow[]): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, `No recommendations for now: nothing stands out, or skills have fewer than ${minEvidence} invocations.`);
  const ic = { high: 'error', medium: 'warning', low: 'info' } as const;
  return h('ul', { class: 'recs' }, ...rows.map((r) => h('li', { class: `rec prio-${r.priority}` },
    h('div', { class: 'rec-head' },
      h('span', { class: `prio prio-${r.priority}` }, icon(ic[r.priority]), r.priority),
      h('span', { class: 'rec-message' }, r.message),
    ),
    h('div', { class: 'rec-action' }, icon('lightbulb'), ' ', r.action,
      r.skill && !(state.page.kind === 'skill' && state.page.skill === r.skill) ? h('button', { type: 'button', class: 'link', onclick: () => openSkill(r.skill!) }, `Open ${r.skill}`) : null),
    h('dl', { class: 'evidence', 'aria-label': 'Evidence' }, ...r.evidence.flatMap((e) => [h('dt', {}, e.label), h('dd', {}, e.value)])),
  )));
}

function sessionPicker(rows: SessionRow[], timeline: TimelinePayload | null): HTMLElement {
  const select = h('select', { id: 'session-select', 'aria-label': 'Session' },
    ...rows.map((s, i) => h('option', { value: String(i) }, `${dateTime(s.start, zone)} · ${s.projectName} · ${plural(s.skills.length, 'skill')}${s.inferred ? ' · inferred' : ''}`)));
  const index = timeline ? rows.findIndex((s) => s.projectId === timeline.projectId && s.sessionId === timeline.sessionId) : 0;
  select.value = String(Math.max(0, index));
  select.addEventListener('change', () => {
    const s = rows[Number(select.value)];
    if (!s) return;
    state = { ...state, session: { projectId: s.projectId, sessionId: s.sessionId } };
    persist();
    sessionRequest = ++lastId;
    post({ type: 'session', id: sessionRequest, projectId: s.projectId, sessionId: s.sessionId });
  });
  return h('label', { class: 'field session-field', for: 'session-select' }, icon('history'), select);
}

function timelineBody(tl: TimelinePayload | null, rows: SessionRow[]): HTMLElement {
  if (!tl) return h('p', { class: 'muted' }, 'No sessions in this scope yet.');
  const s = rows.find((r) => r.projectId === tl.projectId && r.sessionId === tl.sessionId);
  const skills = new Set(tl.invocations.map((i) => i.skill)).size;
  const rowsCount = skills + (tl.events.length ? 1 : 0);
  const summary = `${plural(tl.invocations.length, 'invocation')} of ${plural(skills, 'skill')} and ${plural(tl.events.length, 'workflow event')}${s ? `, ${dateTime(s.start, zone)} to ${dateTime(s.end, zone)}` : ''}`;
  return h('div', { class: 'timeline' },
    h('p', { class: 'muted small', id: 'timeline-summary' }, `${tl.inferred ? 'Inferred session (no session id): ' : ''}${summary}. Green: completed; red: failed or not completed; markers: workflow events.`),
    chartBox('timeline', `Session timeline: ${summary}`, 'md', (t) => timelineOption(tl, t, zone), (p) => {
      if (p.componentType === 'yAxis' && typeof p.value === 'string' && p.value !== 'workflow') return { kind: 'skill', skill: p.value };
      const inv = (p.data as { inv?: { skill: string } } | undefined)?.inv;
      return inv ? { kind: 'skill', skill: inv.skill } : undefined;
    }, Math.max(140, 46 + rowsCount * 30)),
  );
}

function timelineTable(tl: TimelinePayload | null): HTMLTableElement {
  const items = [
    ...(tl?.invocations ?? []).map((i) => ({ at: i.at, cells: [i.skill, dateTime(i.at, zone), seconds(i.duration), i.completed ? 'completed' : i.pending ? 'in progress' : i.error ? `failed: ${i.error}` : 'not completed'] as Child[] })),
    ...(tl?.events ?? []).map((e) => ({ at: e.at, cells: [e.node ? `${e.type}: ${e.node}` : e.type, dateTime(e.at, zone), seconds(e.duration), e.success === null ? '' : e.success ? 'success' : 'failed'] as Child[] })),
  ].sort((a, b) => a.at - b.at);
  return table('Session timeline', ['Skill or workflow event', 'Time', 'Duration', 'Result'], items.map((i) => i.cells), { numeric: [2] });
}

function renderOverview(p: OverviewPayload): void {
  const label = p.scope.label;
  const scopeName = p.scope.projectName ?? 'all projects';
  const u = p.usage;
  const usageTotal = u.series.reduce((s, x) => s + x.counts.reduce((a, b) => a + b, 0), 0) + u.other.reduce((a, b) => a + b, 0);
  const usageLabel = `Stacked bar chart: invocations per ${u.granularity === 'weekly' ? 'week' : 'day'} in ${scopeName}, ${label}, for ${u.series.map((s) => s.skill).join(', ')}${u.other.some((v) => v) ? ' and other skills' : ''}; ${int(usageTotal)} in total.`;
  const durations = p.durations;
  const matrixHeight = 90 + p.matrix.skills.length * 26;
  const listHeight = (n: number): number => 30 + Math.max(1, n) * 26;

  content.replaceChildren(
    h('div', { class: 'scope-line muted' }, h('span', {}, icon(p.scope.projectId ? 'folder' : 'folder-library'), ` ${p.scope.projectName ?? 'All projects'}`), h('span', {}, icon('calendar'), ` ${label}`), h('span', {}, icon('globe'), ` ${zone}`)),
    keyFigures(p.figures, label),
    h('div', { class: 'grid' },
      card({
        id: 'usage', title: 'Usage over time', subtitle: `Invocations per ${u.granularity === 'weekly' ? 'week' : 'day'} · top ${u.series.length} skills stacked · click a bar to open its skill`, wide: true, exports: ['png', 'svg', 'csv'],
        body: chartBox('usage', usageLabel, 'lg', (t) => usageOption(u, t), (c) => (c.componentType === 'series' && c.seriesName && c.seriesName !== 'other' ? { kind: 'skill', skill: c.seriesName } : undefined)),
        table: table(`Invocations per ${u.granularity === 'weekly' ? 'week' : 'day'}`, ['Bucket', ...u.series.map((s) => s.skill), 'other'], u.labels.map((l, i) => [l, ...u.series.map((s) => int(s.counts[i])), int(u.other[i])]), { numeric: u.series.map((_, i) => i + 1).concat([u.series.length + 1]) }),
      }),
      card({ id: 'topSkills', title: 'Top skills', subtitle: `${label} · sortable · Enter opens a skill`, wide: true, exports: ['csv'], body: p.topSkills.length ? topSkillsTable(p.topSkills, u.labels) : h('p', { class: 'muted' }, 'No skill was used in this range.') }),
      card({
        id: 'success', title: 'Success rate per skill', subtitle: `All time · red below ${pct(RULES.lowSuccessRate)}, green above ${pct(RULES.highSuccessRate)}${durations.some((d) => !d.enoughEvidence) ? ` · * fewer than ${minEvidence} invocations` : ''}`, exports: ['png', 'svg', 'csv'],
        body: chartBox('success', `Bar chart: success rate of the ${durations.length} most used skills: ${durations.map((d) => `${d.skill} ${pct(d.successRate)}`).join(', ')}.`, 'md', (t) => successOption(durations, t, minEvidence), skillFromAxis(durations.map((d) => d.skill)), listHeight(durations.length)),
        table: table('Success rate per skill', ['Skill', 'Invocations', 'Success rate'], durations.map((d) => [d.skill, int(d.total), pct(d.successRate)]), { numeric: [1, 2], rowAction: (i) => [`Open ${durations[i]!.skill}`, () => openSkill(durations[i]!.skill)] }),
      }),
      card({
        id: 'durations', title: 'Duration distribution', subtitle: 'All time · median (p50) and 95th percentile of completed invocations', exports: ['png', 'svg', 'csv'],
        body: chartBox('durations', `Bar chart: median and 95th percentile duration of the ${durations.length} most used skills: ${durations.map((d) => `${d.skill} p50 ${seconds(d.p50)}, p95 ${seconds(d.p95)}`).join('; ')}.`, 'md', (t) => durationsOption(durations, t), skillFromAxis(durations.map((d) => d.skill)), listHeight(durations.length) + 24),
        table: table('Duration per skill', ['Skill', 'p50', 'p95', 'Mean'], durations.map((d) => [d.skill, seconds(d.p50), seconds(d.p95), seconds(d.avg)]), { numeric: [1, 2, 3] }),
      }),
      card({
        id: 'matrix', title: 'Skills × projects', subtitle: 'All time · invocations (colour) and success rate (tooltip) · click a skill or a project', wide: true, exports: ['png', 'svg', 'csv'],
        body: p.matrix.cells.length
          ? chartBox('matrix', `Heatmap: invocations of ${p.matrix.skills.length} skills in ${p.matrix.projects.length} projects.`, 'lg', (t) => matrixOption(p.matrix, t), (c) => {
              if (c.componentType === 'yAxis' && typeof c.value === 'string') return { kind: 'skill', skill: c.value };
              if (c.componentType === 'xAxis' && typeof c.value === 'string') {
                const pr = p.matrix.projects.find((x) => x.name === c.value);
                return pr ? { kind: 'project', projectId: pr.id } : undefined;
              }
              if (c.componentType === 'series' && Array.isArray(c.data)) {
                const pr = p.matrix.projects[(c.data as number[])[0]!];
                return pr ? { kind: 'project', projectId: pr.id } : undefined;
              }
              return undefined;
            }, matrixHeight)
          : h('p', { class: 'muted' }, 'No data yet.'),
        table: table('Invocations per skill and project', ['Skill', ...p.matrix.projects.map((x) => x.name)], p.matrix.skills.map((sk) => [sk, ...p.matrix.projects.map((pr) => {
          const c = p.matrix.cells.find((x) => x.skill === sk && x.projectId === pr.id);
          return c ? `${int(c.total)} (${pct(c.successRate)})` : '–';
        })]), { numeric: p.matrix.projects.map((_, i) => i + 1) }),
        extra: h('div', { class: 'chips', role: 'group', 'aria-label': 'Open a project' }, ...p.matrix.projects.map((pr) => h('button', { type: 'button', class: 'chip', onclick: () => openProject(pr.id) }, icon('folder'), pr.name))),
      }),
      card({
        id: 'graph', title: 'Skills used together', subtitle: 'All time · sessions that used both (edge width) and lift (tooltip)', exports: ['png', 'svg', 'csv'],
        body: p.graph.pairs.length
          ? chartBox('graph', `Network graph of ${p.graph.pairs.length} skill pairs used in the same sessions; strongest: ${p.graph.pairs.slice(0, 3).map((x) => `${x.a} and ${x.b} (${x.sessions} sessions)`).join(', ')}.`, 'lg', (t) => graphOption(p.graph, t), (c) => (c.componentType === 'series' && (c as { dataType?: string }).dataType === 'node' && c.name ? { kind: 'skill', skill: c.name } : undefined), 480)
          : h('p', { class: 'muted' }, 'No two skills were used in the same session at least twice.'),
        table: table('Skill pairs', ['Skills', 'Sessions', 'Lift'], p.graph.pairs.map((x) => [`${x.a} + ${x.b}`, int(x.sessions), x.lift.toFixed(2)]), { numeric: [1, 2] }),
      }),
      card({
        id: 'transitions', title: 'What follows what', subtitle: 'All time · the next skill within a session', exports: ['csv'],
        body: p.graph.transitions.length
          ? table('Transitions', ['From', 'To', 'Times', 'Probability'], p.graph.transitions.slice(0, 14).map((x) => [x.from, x.to, int(x.count), probability(x.probability)]), { numeric: [2, 3], rowAction: (i) => [`Open ${p.graph.transitions[i]!.from}`, () => openSkill(p.graph.transitions[i]!.from)] })
          : h('p', { class: 'muted' }, 'No skill followed another at least twice.'),
      }),
      card({ id: 'trends', title: 'Trends', subtitle: `Weekly use over the last ${p.trends.weeks.length} complete weeks`, exports: ['csv'], body: trendsList(p.trends.rows, p.trends.weeks) }),
      card({
        id: 'hotspots', title: 'Error hotspots', subtitle: 'All time · the error types behind most failures', exports: ['png', 'svg', 'csv'],
        body: p.hotspots.length
          ? chartBox('hotspots', `Bar chart of failures by error type: ${p.hotspots.map((x) => `${x.errorType} ${x.failures} (${pct(x.share)})`).join(', ')}.`, 'md', (t) => barListOption(hotspotItems(p.hotspots, t), t), (c) => {
              const hs = c.dataIndex !== undefined ? p.hotspots[c.dataIndex] : p.hotspots.find((x) => x.errorType === c.value);
              return hs?.skills[0] ? { kind: 'skill', skill: hs.skills[0].skill } : undefined;
            }, listHeight(p.hotspots.length))
          : h('p', { class: 'muted' }, 'No failures with an error type. 🎉'),
        table: table('Error hotspots', ['Error type', 'Failures', 'Share', 'Skills'], p.hotspots.map((x) => [x.errorType, int(x.failures), pct(x.share), x.skills.map((s) => `${s.skill} (${s.failures})`).join(', ')]), { numeric: [1, 2] }),
      }),
      card({ id: 'recommendations', title: 'Recommendations', subtitle: 'Most useful first, each with the numbers behind it', wide: true, exports: ['csv'], body: recommendationsList(p.recommendations) }),
      card({
        id: 'timeline', title: 'Session timeline', subtitle: 'Skills and workflow nodes of one session on one time axis', wide: true, exports: ['png', 'svg', 'csv'],
        extra: p.sessions.length ? sessionPicker(p.sessions, p.timeline) : null,
        body: timelineBody(p.timeline, p.sessions),
        table: timelineTable(p.timeline),
      }),
    ),
  );
}

// ------------------------------------------------------------------------------------------------
// skill page

function renderSkill(p: SkillPayload): void {
  const e = p.effectiveness;
  const u = p.usage;
  const scopeName = p.scope.projectName ?? 'all projects';
  const listHeight = (n: number): number => 30 + Math.max(1, n) * 26;
  const back = h('button', { type: 'button', class: 'btn secondary back', onclick: () => update({ page: { kind: 'overview' } }) }, icon('arrow-left'), 'Overview');
  const head = h('div', { class: 'skill-head' }, back, h('h2', { class: 'skill-title', id: 'skill-title' }, icon('symbol-event'), ` ${p.skill}`), h('span', { class: 'muted' }, `in ${scopeName}`));
  if (!p.found) {
    content.replaceChildren(head, emptyState('notFound', p.scope.label, p.skill));
    return;
  }
  const usageTotal = u.series[0]?.counts.reduce((a, b) => a + b, 0) ?? 0;
  const trend = p.trend;
  content.replaceChildren(
    head,
    h('div', { class: 'kpis', id: 'key-figures', role: 'region', 'aria-label': `Figures of ${p.skill}, all time` },
      figure('Invocations', int(e.total), { id: 'kpi-invocations', hint: state.filters.range === 'all' ? 'all time' : `all time · ${int(usageTotal)} in ${p.scope.label.toLowerCase()}` }),
      figure('Success rate', e.enoughEvidence ? pct(e.successRate) : 'not enough data', { id: 'kpi-success', hint: `${int(e.completed)} completed` }),
      figure('Median duration', seconds(e.p50), { id: 'kpi-median', hint: `p95 ${seconds(e.p95)} · mean ${seconds(e.avg)}` }),
      figure('Follow-ups per use', e.avgFollowUps === null ? '–' : e.avgFollowUps.toFixed(1), { hint: `${pct(e.followUpShare)} of uses have some` }),
      figure('Last used', ago(e.lastUsed), { hint: `first ${day(e.firstUsed, zone)}` }),
    ),
    e.insights.length ? h('ul', { class: 'insights', 'aria-label': 'Insights' }, ...e.insights.map((i) => h('li', {}, icon('lightbulb'), ' ', i))) : '',
    h('div', { class: 'grid' },
      card({
        id: 'skillUsage', title: 'Usage over time', subtitle: `${p.scope.label} · per ${u.granularity === 'weekly' ? 'week' : 'day'}`, wide: true, exports: ['png', 'svg', 'csv'],
        body: usageTotal
          ? chartBox('skillUsage', `Bar chart: invocations of ${p.skill} per ${u.granularity === 'weekly' ? 'week' : 'day'}, ${p.scope.label}: ${int(usageTotal)} in total.`, 'md', (t) => usageOption(u, t, false))
          : emptyState('noDataInRange', p.scope.label),
        table: table(`Invocations of ${p.skill}`, ['Bucket', 'Invocations'], u.labels.map((l, i) => [l, int(u.series[0]?.counts[i])]), { numeric: [1] }),
      }),
      card({
        id: 'skillProjects', title: 'Across projects', subtitle: 'All time · click a project to scope the dashboard to it', exports: ['png', 'svg', 'csv'],
        body: chartBox('skillProjects', `Bar chart: invocations of ${p.skill} per project: ${p.projects.map((x) => `${x.name} ${x.total} (${pct(x.successRate)} success)`).join(', ')}.`, 'md',
          (t) => barListOption(p.projects.map((x) => ({ label: x.name, value: x.total, color: rateColor(t, x.successRate, x.total >= minEvidence), display: `${int(x.total)} · ${pct(x.successRate)}`, tip: [['Invocations', int(x.total)], ['Success rate', pct(x.successRate)], ['Mean duration', seconds(x.avgDuration)]] })), t),
          (c) => {
            const pr = c.dataIndex !== undefined && c.componentType === 'series' ? p.projects[c.dataIndex] : p.projects.find((x) => x.name === c.value);
            return pr ? { kind: 'project', projectId: pr.id } : undefined;
          }, listHeight(p.projects.length)),
        table: table('Across projects', ['Project', 'Invocations', 'Success rate', 'Mean duration'], p.projects.map((x) => [x.name, int(x.total), pct(x.successRate), seconds(x.avgDuration)]), { numeric: [1, 2, 3], rowAction: (i) => [`Scope to ${p.projects[i]!.name}`, () => update({ filters: { project: p.projects[i]!.id } })] }),
      }),
      card({
        id: 'skillErrors', title: 'Top errors', subtitle: 'Failures by error type', exports: ['png', 'svg', 'csv'],
        body: p.errors.length ? chartBox('skillErrors', `Bar chart of failures by error type: ${p.errors.map((x) => `${x.errorType} ${x.count}`).join(', ')}.`, 'md', (t) => barListOption(p.errors.map((x) => ({ label: x.errorType, value: x.count, color: t.red })), t), undefined, listHeight(p.errors.length)) : h('p', { class: 'muted' }, 'No failures with an error type.'),
        table: table('Top errors', ['Error type', 'Failures'], p.errors.map((x) => [x.errorType, int(x.count)]), { numeric: [1] }),
      }),
      card({
        id: 'skillPaths', title: 'Workflow paths', subtitle: 'Invocations and success per path', exports: ['png', 'svg', 'csv'],
        body: p.paths.length ? chartBox('skillPaths', `Bar chart of invocations per workflow path: ${p.paths.map((x) => `${x.path} ${x.count} (${pct(x.successRate)} success)`).join(', ')}.`, 'md', (t) => barListOption(p.paths.map((x) => ({ label: x.path, value: x.count, color: rateColor(t, x.successRate, x.count >= minEvidence), display: `${int(x.count)} · ${pct(x.successRate)}` })), t), undefined, listHeight(p.paths.length)) : h('p', { class: 'muted' }, 'No workflow paths recorded.'),
        table: table('Workflow paths', ['Path', 'Invocations', 'Success rate'], p.paths.map((x) => [x.path, int(x.count), pct(x.successRate)]), { numeric: [1, 2] }),
      }),
      card({
        id: 'trends', title: 'Trend', subtitle: `Weekly use over the last ${p.trendWeeks.length} complete weeks`, exports: [],
        body: trend
          ? h('div', { class: 'trend-single' }, h('div', { class: `trend-badge trend-${trend.direction.replace(/ /g, '-')}` }, trend.direction), miniBars(trend.counts, `${p.skill} per week: ${trend.counts.join(', ')}`, 260, 60),
              h('p', { class: 'muted small' }, `${trend.counts.join(' · ')} per week${trend.slopePerWeek !== null ? ` · slope ${trend.slopePerWeek.toFixed(2)} per week` : ''}`))
          : h('p', { class: 'muted' }, 'No weekly data.'),
      }),
      card({
        id: 'transitions', title: 'Before and after', subtitle: 'All time · what comes before and after this skill in a session', exports: ['csv'],
        body: p.transitions.length
          ? table('Transitions', ['From', 'To', 'Times', 'Probability'], p.transitions.slice(0, 14).map((x) => [x.from, x.to, int(x.count), pct(x.probability)]), { numeric: [2, 3], rowAction: (i) => {
              const x = p.transitions[i]!;
              const other = x.from === p.skill ? x.to : x.from;
              return other === p.skill ? undefined : [`Open ${other}`, () => openSkill(other)];
            } })
          : h('p', { class: 'muted' }, 'No transitions recorded.'),
      }),
      card({ id: 'recommendations', title: 'Recommendations', subtitle: 'For this skill', wide: true, exports: ['csv'], body: recommendationsList(p.recommendations) }),
      card({
        id: 'timeline', title: 'Sessions with this skill', subtitle: 'Skills and workflow nodes of one session on one time axis', wide: true, exports: ['png', 'svg', 'csv'],
        extra: p.sessions.length ? sessionPicker(p.sessions, p.timeline) : null,
        body: timelineBody(p.timeline, p.sessions),
        table: timelineTable(p.timeline),
      }),
    ),
  );
}

// ------------------------------------------------------------------------------------------------
// render + export

function render(p: Payload): void {
  payload = p;
  clearCharts();
  timing.textContent = `${p.elapsedMs} ms`;
  timing.setAttribute('title', `assembled by the extension in ${p.elapsedMs} ms`);
  // The host drops a project that is no longer active: follow it.
  if ((p.scope.projectId ?? null) !== state.filters.project) {
    state = { ...state, filters: { ...state.filters, project: p.scope.projectId } };
    persist();
  }
  syncHeader();
  if (p.empty && p.empty !== 'noDataInRange') {
    content.replaceChildren(emptyState(p.empty, p.scope.label));
  } else if (p.kind === 'overview') {
    if (p.empty === 'noDataInRange') {
      content.replaceChildren(keyFigures(p.figures, p.scope.label), emptyState('noDataInRange', p.scope.label));
    } else {
      renderOverview(p);
    }
  } else {
    renderSkill(p);
  }
  mountPending();
  document.body.dataset.firstRenderMs ??= String(Math.round(performance.now()));
  document.body.dataset.view = p.kind;
  document.body.dataset.ready = String(pendingId);
}

function renderTimeline(tl: TimelinePayload): void {
  if (!payload) return;
  payload = { ...payload, timeline: tl };
  const cardEl = document.getElementById('card-timeline');
  const body = cardEl?.querySelector('.card-body');
  const alt = cardEl?.querySelector('.table-alt');
  if (!body || !alt) return;
  charts.get('timeline')?.chart.dispose();
  mounted = mounted.filter((m) => m.id !== 'timeline');
  body.replaceChildren(timelineBody(tl, payload.sessions));
  alt.replaceChildren(timelineTable(tl));
  mountPending();
}

async function exportChart(chart: ChartId, format: ExportFormat, titleText: string): Promise<void> {
  try {
    if (format === 'csv') {
      post({ type: 'export', chart, format });
      return;
    }
    const handle = charts.get(chart);
    if (!handle) {
      say(`${titleText}: there is no chart to export.`, true);
      return;
    }
    const image = format === 'png' ? await toPng(handle, theme.bg) : toSvg(handle, theme.bg);
    post({ type: 'export', chart, format, image });
  } catch (err) {
    say(`Export failed: ${(err as Error).message}`, true);
  }
}

// ------------------------------------------------------------------------------------------------
// messages from the host

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const m = event.data;
  switch (m.type) {
    case 'init':
      state = m.state;
      projects = m.projects;
      zone = m.zone;
      minEvidence = m.minEvidence;
      vscode.setState(state);
      syncHeader();
      query();
      break;
    case 'result':
      if (m.id !== pendingId) return; // a newer query is on its way
      setBusy(false);
      render(m.payload);
      break;
    case 'sessionResult':
      if (m.id === sessionRequest) renderTimeline(m.timeline);
      break;
    case 'failed':
      if (m.id !== pendingId) return;
      setBusy(false);
      renderError(m.message);
      break;
    case 'refresh':
      projects = m.projects;
      syncHeader();
      query(true);
      break;
    case 'navigate':
      update({ filters: m.filters, page: m.page ?? { kind: 'overview' } });
      break;
    case 'exported':
      say(`Saved ${m.format.toUpperCase()} to ${m.file}`);
      break;
    case 'exportFailed':
      say(`Export failed: ${m.message}`, true);
      break;
  }
});

onThemeChange(() => remountAll());
new ResizeObserver(() => {
  for (const m of mounted) if (m.el.isConnected) resize(m.el);
}).observe(content);

syncHeader();
renderLoading();
// How long the page took to load and run this script (the bundle's parse and start-up cost).
document.body.dataset.bootMs = String(Math.round(performance.now()));
post({ type: 'ready', state: restoredState() });

