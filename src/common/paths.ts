/** Where Skill Metrics keeps its database when nobody says otherwise (DESIGN section 2). */
import * as os from 'node:os';
import * as path from 'node:path';

export const EXTENSION_ID = 'skillmetrics.skill-metrics';
export const DATABASE_FILE = 'skill_metrics.duckdb';

/** VS Code's user-data folder on this OS (the stable desktop build). */
function vscodeUserDataDir(): string {
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Code');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Code');
    default:
      return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Code');
  }
}

/**
 * The database the extension uses on this machine (its global storage), unless $SKILL_METRICS_DB names
 * another: the CLI and the editor then see the same data.
 */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKILL_METRICS_DB) return path.resolve(env.SKILL_METRICS_DB);
  return path.join(vscodeUserDataDir(), 'User', 'globalStorage', EXTENSION_ID, DATABASE_FILE);
}

/** `child` is `parent` itself or lies inside it (both absolute paths). */
export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
