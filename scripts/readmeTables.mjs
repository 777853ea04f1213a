#!/usr/bin/env node
// The README's reference tables, generated so they cannot drift from what the extension declares:
//   settings   from package.json contributes.configuration (every key, its values, default, text)
//   commands   from package.json contributes.commands + menus (palette title, where else it shows)
//   cli        from src/cli/commands.ts (every user command: usage and summary)
// Each sits in README.md between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
//
//   node scripts/readmeTables.mjs          rewrite those sections of README.md
//   node scripts/readmeTables.mjs --check  exit 1 (and say which) when README.md is out of date
// test/packaging/readme.unit.test.mjs runs the check in `npm test`.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What each command does, for the commands table (package.json has titles only). */
export const COMMAND_DESCRIPTIONS = Object.freeze({
  'skillMetrics.collectNow': 'Read new records from every registered project now (collection also runs by itself when files change).',
  'skillMetrics.aggregate': 'Recompute the daily, weekly, monthly and all-time aggregates, sessions, co-usage and transitions.',
  'skillMetrics.openDashboard': 'Open the dashboard: usage over time, top skills, success rates, durations, projects, co-usage, trends, error hotspots.',
  'skillMetrics.registerFolder': 'Register folders outside the workspace as projects (their `.session-buddy` records are collected from then on).',
  'skillMetrics.unregisterProject': 'Stop collecting a project and leave it out of analyses; its history is kept (Undo, or Register Project Again).',
  'skillMetrics.analyzeEffectiveness': "One skill in depth on the dashboard's skill page: success rate, durations, top errors, workflow paths, follow-ups and insights.",
  'skillMetrics.compareSkill': 'The skill\'s page on the dashboard, whose "Across projects" puts it side by side in every project that uses it.',
  'skillMetrics.showRecommendations': 'Focus the Recommendations view (what to change, most useful first, with the evidence).',
  'skillMetrics.showCorrelationReport': 'A text report of sessions: which skills and workflow nodes ran together.',
  'skillMetrics.export': 'Save skill usage, aggregates or sessions as CSV, JSON or Parquet where you choose.',
  'skillMetrics.healthCheck': 'Database file, schema, last collection, aggregate freshness and any problem with an input file.',
  'skillMetrics.cleanUp': 'Delete records older than N days from the database (asks first; your project files are never changed).',
  'skillMetrics.showLog': 'Show the Skill Metrics output channel.',
  'skillMetrics.refresh': 'Re-read the database and redraw the views.',
  'skillMetrics.selectTimeWindow': 'Top Skills window: today, last 7 days, last 30 days or all time.',
  'skillMetrics.selectProjectFilter': 'Show one project (or all) in Top Skills, Recommendations and Sessions.',
  'skillMetrics.changeProjectFilter': 'Change or clear the project filter.',
  'skillMetrics.collectProject': 'Collect one project now.',
  'skillMetrics.revealProject': "Show the project's `.session-buddy` folder in the Explorer (or the folder itself).",
  'skillMetrics.registerProjectAgain': 'Register an unregistered project again; collection resumes.',
});

const VIEW_NAMES = Object.freeze({
  'skillMetrics.topSkills': 'Top Skills',
  'skillMetrics.projects': 'Projects',
  'skillMetrics.recommendations': 'Recommendations',
  'skillMetrics.sessions': 'Sessions',
});

/** Escape text for a markdown table cell. */
const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function settingValues(p) {
  if (p.enum) return p.enum.map((v) => `\`${v}\``).join(', ');
  const range = p.minimum !== undefined || p.maximum !== undefined ? ` ${p.minimum ?? ''}..${p.maximum ?? ''}` : '';
  return `${p.type}${range}`;
}

function settingDefault(p) {
  return p.default === '' ? '`""`' : `\`${JSON.stringify(p.default)}\``;
}

function settingDescription(p) {
  let text = p.markdownDescription ?? p.description ?? '';
  if (p.enum && p.enumDescriptions) {
    text += ` ${p.enum.map((v, i) => `\`${v}\`: ${p.enumDescriptions[i]}`).join(' ')}`;
  }
  return text.trim();
}

/** The settings table (every contributes.configuration property, in `order`). */
export function settingsTable(manifest) {
  const sections = [manifest.contributes.configuration].flat();
  const props = sections.flatMap((s) => Object.entries(s.properties ?? {}));
  props.sort(([, a], [, b]) => (a.order ?? 1e9) - (b.order ?? 1e9));
  const rows = props.map(([key, p]) => `| \`${key}\` | ${cell(settingValues(p))} | ${cell(settingDefault(p))} | ${cell(settingDescription(p))} |`);
  return ['| Setting | Values | Default | What it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Where a command shows besides the palette (view title bars, tree rows), from contributes.menus. */
function placesOf(manifest, id) {
  const places = new Set();
  for (const item of manifest.contributes.menus?.['view/title'] ?? []) {
    if (item.command !== id) continue;
    const views = [...(item.when ?? '').matchAll(/skillMetrics\\?\.(topSkills|projects|recommendations|sessions)/g)].map((m) => m[1]);
    if (!views.length) places.add('every view title');
    for (const v of views) places.add(`${VIEW_NAMES[`skillMetrics.${v}`]} title`);
  }
  for (const item of manifest.contributes.menus?.['view/item/context'] ?? []) {
    if (item.command !== id) continue;
    if (/skillMetrics:project/.test(item.when ?? '')) places.add('project rows');
    if (/skillMetrics:\(?skill/.test(item.when ?? '')) places.add('skill rows');
    if (/recommendation/.test(item.when ?? '')) places.add('recommendation rows');
  }
  return [...places];
}

/** The commands table: palette title, where else, what it does. */
export function commandsTable(manifest) {
  const palette = new Map((manifest.contributes.menus?.commandPalette ?? []).map((m) => [m.command, m.when]));
  const rows = manifest.contributes.commands.map((c) => {
    const title = `${c.category ? `${c.category}: ` : ''}${c.title}`;
    const inPalette = palette.get(c.command) !== 'false';
    const where = [inPalette ? 'palette' : null, ...placesOf(manifest, c.command)].filter(Boolean).join(', ');
    const what = COMMAND_DESCRIPTIONS[c.command];
    if (!what) throw new Error(`scripts/readmeTables.mjs: no description for command ${c.command}: add one to COMMAND_DESCRIPTIONS`);
    return `| ${cell(inPalette ? title : c.title)} | ${cell(where)} | ${cell(what)} |`;
  });
  const unknown = Object.keys(COMMAND_DESCRIPTIONS).filter((id) => !manifest.contributes.commands.some((c) => c.command === id));
  if (unknown.length) throw new Error(`scripts/readmeTables.mjs: COMMAND_DESCRIPTIONS names commands package.json does not have: ${unknown.join(', ')}`);
  return ['| Command | Where | What it does |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The CLI table: every user command of src/cli/commands.ts with its usage and summary. */
export function cliTable(commands) {
  const rows = commands.filter((c) => !c.developer).map((c) => `| \`${cell(c.usage)}\` | ${cell(c.summary)} |`);
  return ['| Command | What it does |', '| --- | --- |', ...rows].join('\n');
}

/** { settings, commands, cli }: the generated text of each section. */
export async function generatedSections(root = ROOT) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const { COMMANDS } = await tsImport(pathToFileURL(path.join(root, 'src/cli/commands.ts')).href, import.meta.url);
  return { settings: settingsTable(manifest), commands: commandsTable(manifest), cli: cliTable(COMMANDS) };
}

const sectionRe = (name) => new RegExp(`(<!-- generated:${name}[^>]*-->\\n)([\\s\\S]*?)(\\n<!-- /generated:${name} -->)`);

/** README text with each generated section replaced; throws when a section's markers are missing. */
export function applySections(readme, sections) {
  let text = readme;
  for (const [name, body] of Object.entries(sections)) {
    const re = sectionRe(name);
    if (!re.test(text)) throw new Error(`README.md has no <!-- generated:${name} --> ... <!-- /generated:${name} --> section`);
    text = text.replace(re, (_, open, _old, close) => `${open}${body}${close}`);
  }
  return text;
}

/** Names of the sections whose text in `readme` differs from `sections`. */
export function staleSections(readme, sections) {
  return Object.entries(sections).filter(([name, body]) => sectionRe(name).exec(readme)?.[2] !== body).map(([name]) => name);
}

async function main() {
  const file = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(file, 'utf8');
  const sections = await generatedSections();
  if (process.argv.includes('--check')) {
    const stale = staleSections(readme, sections);
    if (stale.length) {
      console.error(`README.md is out of date (${stale.join(', ')}): run node scripts/readmeTables.mjs`);
      return 1;
    }
    console.log('README.md tables are up to date');
    return 0;
  }
  const updated = applySections(readme, sections);
  if (updated !== readme) fs.writeFileSync(file, updated);
  console.log(updated === readme ? 'README.md tables were up to date' : 'README.md tables updated');
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (e) => { console.error(e.message); process.exit(1); });
}
