// The harness installs code-server with an inner `npm install`. Started from an npm script (`npm test`,
// `npm start`), it inherits that script's npm_* variables; an inner npm reads npm_config_* back as its own
// config, and code-server's postinstall then sees the outer user agent ("node/v20") and refuses to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cleanNpmEnv, npmEnv } from './setup.mjs';

const SETUP = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'setup.mjs')).href;

describe('harness: the environment of the inner npm install', () => {
  it('drops what npm put there for a script, and only that', () => {
    const env = cleanNpmEnv({
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64',
      NPM_CONFIG_CACHE: '/somewhere',
      npm_lifecycle_event: 'test',
      npm_package_json: '/repo/package.json',
      npm_node_execpath: '/usr/bin/node',
      INIT_CWD: '/repo',
      NODE: '/usr/bin/node',
      PATH: ['/repo/node_modules/.bin', '/node_modules/.bin', '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin', '/usr/local/bin', '/usr/bin'].join(path.delimiter),
      HOME: '/home/u',
      LANG: 'C.UTF-8',
    });
    assert.deepEqual(env, { PATH: ['/usr/local/bin', '/usr/bin'].join(path.delimiter), HOME: '/home/u', LANG: 'C.UTF-8' });
    assert.deepEqual(cleanNpmEnv({ PATH: '/usr/bin', TERM: 'xterm' }), { PATH: '/usr/bin', TERM: 'xterm' }, 'outside npm it changes nothing');
    const inner = npmEnv({ npm_config_nodedir: '/n24' }, { npm_config_user_agent: 'x node/v20', PATH: '/usr/bin' });
    assert.equal(inner.npm_config_user_agent, undefined);
    assert.equal(inner.npm_config_ignore_scripts, 'false');
    assert.equal(inner.npm_config_nodedir, '/n24');
  });

  it('an inner npm started from an npm script computes its own user agent', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skill-metrics-npmenv-'));
    try {
      // The probe runs as an npm script, like the harness under `npm test`, and asks an inner npm for its config.
      const probe = `import(${JSON.stringify(SETUP)}).then((m) => {
        const run = (env) => require('child_process').spawnSync('npm', ['config', 'get', 'user-agent'], { env, encoding: 'utf8' }).stdout.trim();
        console.log(JSON.stringify({ inherited: run(process.env), cleaned: run(m.npmEnv()), outer: process.env.npm_config_user_agent }));
      })`;
      fs.writeFileSync(path.join(dir, 'probe.cjs'), probe);
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'probe', version: '1.0.0', private: true, scripts: { probe: 'node probe.cjs' } }));
      const r = spawnSync('npm', ['run', '--silent', 'probe'], { cwd: dir, encoding: 'utf8', env: cleanNpmEnv() });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop());
      assert.match(out.outer, /node\/v\d+/, 'npm gives its scripts a user agent naming the outer Node');
      assert.equal(out.inherited, out.outer, 'without cleaning, the inner npm takes the outer one as its own (the bug)');
      assert.match(out.cleaned, /\{node-version\}/, `cleaned, the inner npm uses its own template: ${out.cleaned}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
