// Runs one `skill-metrics collect` (the built CLI, as a user runs it) in this process and prints its JSON
// result with the process's peak RSS (worker threads included). The benchmark runs it as a child process.
// usage: node bench/collectChild.cjs DB [DIR...]
const path = require('node:path');

async function run() {
  const [db, ...dirs] = process.argv.slice(2);
  const { main } = require(path.resolve(__dirname, '..', 'dist', 'cli.js'));
  let out = '';
  const code = await main(['--db', db, '--json', '--source-tz', 'Europe/Berlin', 'collect', '--no-aggregate', ...dirs], {
    stdout: (t) => (out += t),
    stderr: (t) => process.stderr.write(`${t}\n`),
    env: process.env,
  });
  process.stdout.write(`${JSON.stringify({ code, ...JSON.parse(out), max_rss_kb: process.resourceUsage().maxRSS })}\n`);
}

run().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 1;
});
