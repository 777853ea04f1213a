// Runs one `skill-metrics collect` (the built CLI, as a user runs it) in this process and prints its JSON
// result with the process's peak RSS (worker threads included) and two wall times: `start_ms`, from the
// process's start until the CLI is loaded, and `wall_ms`, the command itself (arguments to exit code,
// the database closed and written out included). The benchmark runs it as a child process.
// usage: node bench/collectChild.cjs DB [DIR...]
const path = require('node:path');

async function run() {
  const [db, ...dirs] = process.argv.slice(2);
  const { main } = require(path.resolve(__dirname, '..', 'dist', 'cli.js'));
  const started = performance.now(); // since the process started (performance.timeOrigin)
  let out = '';
  const code = await main(['--db', db, '--json', '--source-tz', 'Europe/Berlin', 'collect', '--no-aggregate', ...dirs], {
    stdout: (t) => (out += t),
    stderr: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
  });
  const wall = performance.now() - started;
  const result = { code, ...JSON.parse(out), start_ms: Math.round(started), wall_ms: Math.round(wall), max_rss_kb: process.resourceUsage().maxRSS };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

run().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
