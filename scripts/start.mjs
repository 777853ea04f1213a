// `npm start`: builds, writes demo projects (every input format) and shows what Skill Metrics makes of them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const demo = path.join(os.tmpdir(), 'skill-metrics-demo');
const db = path.join(demo, 'skill_metrics.duckdb');
const cli = (...args) => execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), '--db', db, ...args], { stdio: 'inherit' });

execFileSync(process.execPath, [path.join(root, 'esbuild.mjs')], { stdio: 'inherit', cwd: root });
rmSync(demo, { recursive: true, force: true });
mkdirSync(demo, { recursive: true });
cli('generate', path.join(demo, 'projects'), '--projects', '5', '--records', '2000');
const dirs = ['01', '02', '03', '04', '05'].map((n) => path.join(demo, 'projects', `project-${n}`));
cli('collect', ...dirs);
cli('projects');
cli('top', '--limit', '8');
cli('health');
console.log(`\nDemo database: ${db}\nTry: node dist/cli.js --db ${db} --help`);
