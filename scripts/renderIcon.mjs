#!/usr/bin/env node
// Renders the Marketplace icon (media/icon.png, 256x256 PNG) from the activity-bar glyph
// (media/icons/skill-metrics.svg): the same strokes, white on a rounded blue tile. The PNG is committed;
// run this again only when the glyph changes.
//
//   node scripts/renderIcon.mjs [--out media/icon.png]
//
// Uses headless Chromium through playwright-core (a devDependency; Debian's chromium or $CHROMIUM).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../test/harness/setup.mjs';
import { loadPlaywright } from '../test/harness/workbench.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE = 256;
const outArg = process.argv.indexOf('--out');
const out = path.resolve(ROOT, outArg > 0 ? process.argv[outArg + 1] : 'media/icon.png');

const glyph = fs.readFileSync(path.join(ROOT, 'media/icons/skill-metrics.svg'), 'utf8');
// The glyph's shapes, re-stroked in white; the 24x24 view box is scaled into the tile with a margin.
const shapes = glyph.replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '').replace(/<!--[\s\S]*?-->/g, '');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 256 256">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#2B6CB0"/>
      <stop offset="1" stop-color="#1A365D"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="240" height="240" rx="48" fill="url(#bg)"/>
  <g transform="translate(41 45) scale(7.25)" fill="none" stroke="#FFFFFF" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">
    ${shapes.trim()}
  </g>
</svg>`;

const executablePath = findChromium();
if (!executablePath) {
  console.error('Chromium not found: apt-get install chromium, or set CHROMIUM');
  process.exit(2);
}
const { chromium } = loadPlaywright();
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-icon-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  viewport: { width: SIZE, height: SIZE },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
});
try {
  const page = context.pages()[0] || await context.newPage();
  await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await page.locator('svg').screenshot({ path: out, omitBackground: true });
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
console.log(`${path.relative(ROOT, out)}: ${fs.statSync(out).size} bytes`);
