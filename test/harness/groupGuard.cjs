// Process-group guard: the leader of a fresh process group that runs one command inside that group and
// makes sure the whole group dies with it.
//
//   spawn(process.execPath, [groupGuard.cjs, LOGFILE, CLEANUP_JSON, CMD, ...ARGS],
//         { detached: true, stdio: ['pipe', 'ignore', 'ignore'] })
//
// Started `detached`, it leads a new process group; CMD (code-server) and everything CMD spawns (agent
// host, file watchers, extension hosts) inherit that group. The guard then stops the *whole group*
// (SIGTERM, then SIGKILL after a grace period) when:
//   - it receives SIGTERM/SIGINT/SIGHUP (the parent's normal stop()),
//   - CMD exits on its own (crash, port in use, ...),
//   - its stdin reaches EOF: the parent that spawned it died without calling stop(), even by SIGKILL.
// Only in the last case does it also delete the directories listed in CLEANUP_JSON (a JSON array),
// since no one else is left to do it; otherwise the parent removes them after reading the log.
// CMD's stdout and stderr are appended to LOGFILE. The guard exits with CMD's exit code (or 143).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');

const GRACE_MS = 5000;
const POLL_MS = 100;

const [logFile, cleanupJson, cmd, ...args] = process.argv.slice(2);
const cleanupDirs = JSON.parse(cleanupJson || '[]');
const out = fs.openSync(logFile, 'a');
const child = spawn(cmd, args, { stdio: ['ignore', out, out] }); // not detached: same process group as us
let stopping = false;

/** PIDs of the other live (non-zombie) members of our process group, read from /proc. */
function otherGroupMembers() {
  const members = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let stat;
    try { stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8'); } catch { continue; }
    // fields after "(comm)": state ppid pgrp ...; comm may contain spaces/parens, so split after the last ')'
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === process.pid && state !== 'Z') members.push(Number(entry));
  }
  return members;
}

function signalOthers(signal) {
  for (const pid of otherGroupMembers()) {
    try { process.kill(pid, signal); } catch { /* already gone */ }
  }
}

async function shutdown(exitCode, { cleanup }) {
  if (stopping) return;
  stopping = true;
  signalOthers('SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (otherGroupMembers().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  signalOthers('SIGKILL');
  // retries: a browser whose profile lives in there may still be exiting (its pipe to our parent closed too)
  if (cleanup) for (const dir of cleanupDirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  process.exit(exitCode);
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => shutdown(143, { cleanup: false }));
child.on('exit', (code, signal) => shutdown(code ?? (signal ? 143 : 1), { cleanup: false }));
child.on('error', (e) => { fs.writeSync(out, `[groupGuard] cannot start ${cmd}: ${e.message}\n`); shutdown(127, { cleanup: false }); });
process.stdin.on('end', () => shutdown(143, { cleanup: true }));
process.stdin.on('error', () => shutdown(143, { cleanup: true }));
process.stdin.resume();
