// The README a user reads must match what the extension declares: its commands, settings and CLI tables are
// generated (scripts/readmeTables.mjs) and must be current; its screenshots must exist, be PNGs of a sane
// size and all be shown; the Marketplace fields must be set.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { applySections, generatedSections, settingsTable, staleSections } from '../../scripts/readmeTables.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const MANIFEST = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The markdown table rows of a generated section, as arrays of cells. */
function rows(name) {
  const body = new RegExp(`<!-- generated:${name}[^>]*-->\\n([\\s\\S]*?)\\n<!-- /generated:${name} -->`).exec(README)?.[1];
  assert.ok(body, `README has the ${name} section`);
  return body.split('\n').slice(2).map((line) => line.replace(/^\| | \|$/g, '').split(/(?<!\\) \| /));
}

describe('README: the tables match package.json and the CLI', function () {

  it('has every generated section up to date (run node scripts/readmeTables.mjs when this fails)', async () => {
    const sections = await generatedSections();
    assert.deepEqual(staleSections(README, sections), []);
    assert.equal(applySections(README, sections), README);
  });

  it('lists every setting of contributes.configuration with its default, in order', () => {
    const props = Object.entries(MANIFEST.contributes.configuration.properties).sort(([, a], [, b]) => a.order - b.order);
    const table = rows('settings');
    assert.deepEqual(table.map((r) => r[0]), props.map(([k]) => `\`${k}\``));
    assert.deepEqual(table.map((r) => r[2]), props.map(([, p]) => (p.default === '' ? '`""`' : `\`${JSON.stringify(p.default)}\``)));
    assert.equal(table.find((r) => r[0] === '`skillMetrics.defaultWindow`')[1], '`today`, `7d`, `30d`, `all`');
    assert.equal(table.find((r) => r[0] === '`skillMetrics.minEvidence`')[1], 'integer 1..10000');
  });

  it('lists every command with its palette title', () => {
    const table = rows('commands');
    const hidden = new Set(MANIFEST.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command));
    assert.equal(table.length, MANIFEST.contributes.commands.length);
    for (const c of MANIFEST.contributes.commands) {
      const title = hidden.has(c.command) ? c.title : `${c.category}: ${c.title}`;
      const row = table.find((r) => r[0] === title);
      assert.ok(row, `a row for ${title}`);
      assert.equal(row[1].includes('palette'), !hidden.has(c.command), `${title}: in the palette or not`);
      assert.ok(row[2].length > 10, `${title} says what it does`);
    }
    assert.equal(table.find((r) => r[0] === 'Skill Metrics: Register Folder...')[1], 'palette, Projects title');
  });

  it('lists every user command of the CLI with its usage', async () => {
    const { COMMANDS } = await tsImport(pathToFileURL(path.join(ROOT, 'src/cli/commands.ts')).href, import.meta.url);
    const table = rows('cli');
    assert.deepEqual(table.map((r) => r[0]), COMMANDS.filter((c) => !c.developer).map((c) => `\`${c.usage.replace(/\|/g, '\\|')}\``));
    assert.ok(!table.some((r) => r[0].startsWith('`generate')), 'developer commands stay out');
  });

  it('escapes pipes in table cells', () => {
    const table = settingsTable({ contributes: { configuration: { properties: { 'x.y': { type: 'string', default: 'a|b', description: 'one | two', order: 1 } } } } });
    assert.equal(table.split('\n')[2], '| `x.y` | string | `"a\\|b"` | one \\| two |');
  });
});

describe('README: screenshots, sections, Marketplace fields', () => {
  const images = [...README.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)].map((m) => ({ alt: m[1], src: m[2] }));

  it('shows real screenshots that are committed under docs/images, each a PNG under 400 KB', () => {
    assert.ok(images.length >= 5, `${images.length} screenshots`);
    const dir = path.join(ROOT, 'docs/images');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.png')).sort();
    assert.deepEqual(images.map((i) => i.src).sort(), files.map((f) => `docs/images/${f}`), 'every screenshot shown, every shown one there');
    for (const f of files) {
      const png = fs.readFileSync(path.join(dir, f));
      assert.equal(png.subarray(1, 4).toString(), 'PNG', f);
      assert.ok(png.length < 400_000, `${f}: ${png.length} bytes`);
      assert.ok(png.readUInt32BE(16) >= 800 && png.readUInt32BE(20) >= 300, `${f}: ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
    }
    for (const i of images) assert.ok(i.alt.length > 15, `alt text for ${i.src}`);
  });

  it('puts users first, and reports the benchmark in its Performance section', () => {
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(headings, ['What it shows', 'Install', 'Commands', 'Settings', 'What it reads', 'How the figures are counted', 'The `skill-metrics` CLI',
      'Use with AI agents (MCP)', 'Where data lives and how to delete it', 'Privacy', 'Performance', 'Development']);
    const performance = README.slice(README.indexOf('\n## Performance\n'), README.indexOf('\n## Development\n'));
    assert.match(performance, /^\n## Performance\n\nMeasured with `npm run bench`/);
    for (const row of ['cold collect', 'aggregate every window', 'top skills', 'engine limit', 'upstream collector']) assert.ok(performance.includes(row), row);
    for (const anchor of README.matchAll(/\]\(#([\w-]+)\)/g)) {
      const slugs = headings.map((h) => h.toLowerCase().replace(/[^\w\s-]/g, '').replace(/\s/g, '-'));
      assert.ok(slugs.includes(anchor[1]), `link #${anchor[1]} has a heading`);
    }
  });

  it('has a CHANGELOG entry for this version and the Marketplace fields in package.json', () => {
    const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    assert.match(changelog, new RegExp(`^## ${MANIFEST.version.replace(/\./g, '\\.')}\\b`, 'm'));
    assert.ok(fs.existsSync(path.join(ROOT, 'LICENSE')));
    assert.equal(MANIFEST.license, 'MIT');
    assert.deepEqual(MANIFEST.extensionKind, ['workspace']);
    assert.match(MANIFEST.engines.vscode, /^\^1\.\d+\.\d+$/);
    assert.equal(MANIFEST.engines.vscode.slice(1), MANIFEST.devDependencies['@types/vscode'], '@types/vscode matches the engine');
    assert.match(MANIFEST.repository.url, /^https:\/\//);
    const icon = fs.readFileSync(path.join(ROOT, MANIFEST.icon));
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(16) === icon.readUInt32BE(20), 'a square icon of 128 px or more');
    assert.ok(MANIFEST.categories.length && MANIFEST.keywords.length <= 30);
    assert.ok(MANIFEST.capabilities.untrustedWorkspaces.description && MANIFEST.capabilities.virtualWorkspaces.description);
  });
});
