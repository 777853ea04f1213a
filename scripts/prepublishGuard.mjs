#!/usr/bin/env node
// `vscode:prepublish`: vsce runs it before packaging. A VSIX is made only by `npm run package`
// (scripts/package.mjs): a production build plus exactly one platform's DuckDB binding, per target.
// A bare `vsce package` in the repository would make an untargeted VSIX with a development build and
// whatever binding happens to be installed, which breaks on every other platform: refuse it.
if (process.env.SKILL_METRICS_PACKAGING !== '1') {
  console.error('Make a VSIX with `npm run package` (linux-x64) or `npm run package -- --target <target>` / `--all`,\n' +
    'not with a bare `vsce package`: see scripts/package.mjs.');
  process.exit(1);
}
