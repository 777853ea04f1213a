/**
 * The HTML of the rendered reports (a skill's effectiveness, a skill across projects). Static pages: the
 * only script records the page's target for restore; links run commands through command URIs. Styled
 * with theme variables only; bars are widths from a class table, so the CSP needs no inline styles.
 */
import { Commands } from './constants';
import type { CompareRow, Effectiveness } from '../core/service';
import * as fmt from '../common/format';
import { contentSecurityPolicy } from './webviewSecurity';

export interface PageFrame {
  cspSource: string;
  nonce: string;
  title: string;
  /** JSON-serialisable state the page keeps for restore. */
  state: unknown;
}

const e = fmt.html;

function commandLink(command: string, args: unknown[], text: string): string {
  return `<a href="command:${command}?${encodeURIComponent(JSON.stringify(args))}">${e(text)}</a>`;
}

/** A horizontal bar for a fraction 0..1 (tone: good / mid / bad / neutral). */
function bar(fraction: number | null, tone: 'good' | 'mid' | 'bad' | 'neutral'): string {
  const w = fraction === null || Number.isNaN(fraction) ? 0 : Math.max(0, Math.min(100, Math.round(fraction * 100)));
  return `<span class="bar" role="presentation"><span class="fill ${tone} w-${w}"></span></span>`;
}

export function rateTone(rate: number | null, enough: boolean): 'good' | 'mid' | 'bad' | 'neutral' {
  if (!enough || rate === null) return 'neutral';
  return rate >= 0.9 ? 'good' : rate >= 0.6 ? 'mid' : 'bad';
}

const WIDTHS = Array.from({ length: 101 }, (_, i) => `.w-${i}{width:${i}%}`).join('');

const CSS = `
:root { color-scheme: light dark; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground);
  background: var(--vscode-editor-background); padding: 8px 24px 32px; line-height: 1.45; max-width: 980px; }
h1 { font-size: 1.6em; font-weight: 600; margin: 12px 0 2px; }
h2 { font-size: 1.1em; font-weight: 600; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--vscode-panel-border); }
.scope { color: var(--vscode-descriptionForeground); margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.card { background: var(--vscode-editorWidget-background); border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border));
  border-radius: 6px; padding: 10px 14px; }
.card .label { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.card .value { font-size: 1.6em; font-weight: 600; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 10px 5px 0; border-bottom: 1px solid var(--vscode-panel-border); vertical-align: middle; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.barcell { width: 38%; }
.bar { display: inline-block; width: 100%; height: 8px; border-radius: 4px; background: var(--vscode-editorWidget-border, var(--vscode-panel-border)); overflow: hidden; vertical-align: middle; }
.fill { display: block; height: 100%; border-radius: 4px; }
.fill.good { background: var(--vscode-charts-green); }
.fill.mid { background: var(--vscode-charts-yellow); }
.fill.bad { background: var(--vscode-charts-red); }
.fill.neutral { background: var(--vscode-charts-blue); }
ul.insights { padding-left: 20px; }
ul.insights li { margin: 4px 0; }
.muted { color: var(--vscode-descriptionForeground); }
.notice { border-left: 3px solid var(--vscode-editorWarning-foreground, var(--vscode-charts-yellow)); padding: 6px 12px; margin: 12px 0;
  background: var(--vscode-editorWidget-background); }
footer { margin-top: 28px; color: var(--vscode-descriptionForeground); }
a { color: var(--vscode-textLink-foreground); text-decoration: none; }
a:hover { text-decoration: underline; color: var(--vscode-textLink-activeForeground); }
a:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
${WIDTHS}
`;

function page(frame: PageFrame, body: string): string {
  const csp = contentSecurityPolicy(frame.cspSource, frame.nonce, { inlineStyle: true });
  const state = JSON.stringify(frame.state).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${e(frame.title)}</title>
<style nonce="${frame.nonce}">${CSS}</style>
</head>
<body>
${body}
<script nonce="${frame.nonce}">acquireVsCodeApi().setState(${state});</script>
</body>
</html>`;
}

function card(label: string, value: string, sub = '', extra = ''): string {
  return `<div class="card"><div class="label">${e(label)}</div><div class="value">${e(value)}</div>${extra}${sub ? `<div class="sub">${e(sub)}</div>` : ''}</div>`;
}

export interface EffectivenessPage {
  effectiveness: Effectiveness;
  projectName?: string;
  projectId?: string;
  minEvidence: number;
  zone: string;
}

export function effectivenessHtml(frame: PageFrame, p: EffectivenessPage): string {
  const x = p.effectiveness;
  const scope = p.projectName ? `project ${p.projectName}` : 'all active projects';
  const header = `<h1>${e(x.skill_name)}</h1><p class="scope">Effectiveness · ${e(scope)} · all time · minimum evidence ${p.minEvidence}</p>`;
  if (!x.found) {
    const insights = x.insights.length ? `<ul class="insights">${x.insights.map((i) => `<li>${e(i)}</li>`).join('')}</ul>` : '';
    return page(frame, `${header}<p class="notice">No invocations of ${e(x.skill_name)} are recorded in ${e(scope)}.</p>${insights}`);
  }
  const enough = x.enough_evidence;
  const tone = rateTone(x.success_rate, enough);
  const cards = [
    card('Invocations', fmt.int(x.total_invocations), `${fmt.int(x.completed_invocations)} completed`),
    card('Success rate', enough ? fmt.pct(x.success_rate) : 'not enough data', enough ? '' : `${fmt.int(x.total_invocations)} of ${p.minEvidence} invocations needed`, bar(x.success_rate, tone)),
    card('Duration p50', fmt.seconds(x.p50_duration_seconds), `p95 ${fmt.seconds(x.p95_duration_seconds)} · avg ${fmt.seconds(x.avg_duration_seconds)}`),
    card('Follow-ups', `${fmt.num(x.avg_follow_ups, 1)} per use`, `${fmt.pct(x.follow_up_share)} of uses have some`),
    card('Last used', fmt.shortDateTime(x.last_used, p.zone), `first ${fmt.shortDateTime(x.first_used, p.zone)}`),
  ].join('');
  const insights = x.insights.length
    ? `<h2>Insights</h2><ul class="insights">${x.insights.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`
    : '';
  const maxErrors = Math.max(1, ...x.top_errors.map((t) => t.count));
  const errors = x.top_errors.length
    ? `<table><thead><tr><th>Error</th><th class="num">Failures</th><th></th></tr></thead><tbody>${x.top_errors
        .map((t) => `<tr><td>${e(t.error_type)}</td><td class="num">${fmt.int(t.count)}</td><td class="barcell">${bar(t.count / maxErrors, 'bad')}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">No failures with an error recorded.</p>';
  const paths = x.workflow_paths.length
    ? `<table><thead><tr><th>Workflow path</th><th class="num">Uses</th><th class="num">Success</th><th></th></tr></thead><tbody>${x.workflow_paths
        .map((w) => {
          const ok = w.count >= p.minEvidence;
          return `<tr><td>${e(w.workflow_path)}</td><td class="num">${fmt.int(w.count)}</td><td class="num">${ok ? fmt.pct(w.success_rate) : 'not enough data'}</td><td class="barcell">${bar(w.success_rate, rateTone(w.success_rate, ok))}</td></tr>`;
        })
        .join('')}</tbody></table>`
    : '<p class="muted">No workflow paths recorded.</p>';
  const links = [
    commandLink(Commands.compareSkill, [x.skill_name], 'Compare across projects'),
    commandLink(Commands.showRecommendations, [], 'Show recommendations'),
  ].join(' · ');
  return page(frame, `${header}<section class="cards">${cards}</section>${insights}<h2>Top errors</h2>${errors}<h2>Workflow paths</h2>${paths}<footer>${links}</footer>`);
}

export interface ComparePage {
  skill: string;
  rows: CompareRow[];
  minEvidence: number;
}

export function compareHtml(frame: PageFrame, p: ComparePage): string {
  const header = `<h1>${e(p.skill)}</h1><p class="scope">Across projects · all time · minimum evidence ${p.minEvidence}</p>`;
  if (!p.rows.length) return page(frame, `${header}<p class="notice">No active project has used ${e(p.skill)}.</p>`);
  const body = p.rows
    .map((r) => {
      const ok = r.total_invocations >= p.minEvidence;
      return `<tr><td>${commandLink(Commands.analyzeEffectiveness, [p.skill, r.project_id], r.project_name)}</td><td class="num">${fmt.int(r.total_invocations)}</td><td class="num">${ok ? fmt.pct(r.success_rate) : 'not enough data'}</td><td class="barcell">${bar(r.success_rate, rateTone(r.success_rate, ok))}</td><td class="num">${fmt.seconds(r.avg_duration_seconds)}</td></tr>`;
    })
    .join('');
  const table = `<table><thead><tr><th>Project</th><th class="num">Uses</th><th class="num">Success</th><th></th><th class="num">Avg duration</th></tr></thead><tbody>${body}</tbody></table>`;
  return page(frame, `${header}${table}<footer>${commandLink(Commands.analyzeEffectiveness, [p.skill], 'Effectiveness in all projects')}</footer>`);
}
