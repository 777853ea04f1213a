/** The tool catalogue in-process: names and flags, input validation, confirmations, error wording. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../../src/common/errors';
import { resolveSettings } from '../../../src/common/settings';
import { MetricsCore } from '../../../src/core/service';
import { TOOL_INFO, TOOL_NAMES, describeChange } from '../../../src/core/toolInfo';
import type { ToolContext } from '../../../src/core/tools';
import { TOOLS, findTool, inputJsonSchema, languageModelToolContributions, runTool, toolErrorMessage } from '../../../src/core/tools';
import { cli, handBuilt, many, tempDir } from '../helpers';

const coreOptions = (db: string): ConstructorParameters<typeof MetricsCore>[0] => ({
  dbPath: db,
  settings: resolveSettings({ sourceTimeZone: 'UTC', displayTimeZone: 'Europe/Berlin' }),
  origin: 'test',
  registerSource: 'cli',
  lockTimeoutMs: 20_000,
});
const coreOn = (db: string): MetricsCore => new MetricsCore(coreOptions(db));

describe('mcp: the tool catalogue', () => {
  it('defines the fourteen tools once, in the order of TOOL_INFO, with their flags', () => {
    assert.deepEqual(TOOLS.map((t) => t.name), TOOL_NAMES);
    assert.equal(TOOLS.length, 14);
    assert.deepEqual(TOOLS.filter((t) => !t.readOnly).map((t) => t.name), ['register_project', 'unregister_project', 'collect_skill_metrics', 'compute_aggregates']);
    for (const t of TOOLS) {
      assert.equal(t.title, TOOL_INFO[t.name].title);
      assert.equal(inputJsonSchema(t).type, 'object', t.name);
      assert.ok(!('$schema' in inputJsonSchema(t)));
    }
    assert.equal(findTool('get_top_skills')?.title, 'Top skills');
    assert.equal(findTool('drop_database'), undefined);
  });

  it("package.json declares the editor's language-model tools exactly as the catalogue defines them", () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { languageModelTools: unknown[]; mcpServerDefinitionProviders: { id: string }[] };
      dependencies: Record<string, string>;
    };
    // After changing a tool: regenerate the manifest entries from languageModelToolContributions().
    assert.deepEqual(manifest.contributes.languageModelTools, languageModelToolContributions());
    assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders.map((p) => p.id), ['skillMetrics.mcpServer']);
    assert.match(manifest.dependencies['@modelcontextprotocol/sdk'] ?? '', /^\d+\.\d+\.\d+$/, 'an exact version');
  });

  it('says what a state-changing tool is about to do, and nothing for one that only reads', () => {
    assert.equal(describeChange('get_top_skills', {}), undefined);
    assert.equal(describeChange('register_project', { path: '/p/alpha', name: 'Alpha' }), 'Register the folder /p/alpha as "Alpha": its .session-buddy records will be collected and analysed.');
    assert.equal(describeChange('unregister_project', { project: 'alpha' }), 'Unregister the project alpha: nothing more is collected from it and analyses leave it out. Its records are kept.');
    assert.equal(describeChange('collect_skill_metrics', {}), 'Collect new skill records from every registered project, then refresh the aggregates.');
    assert.equal(describeChange('collect_skill_metrics', { paths: ['/a', 7, '/b'] }), 'Register (if needed) and collect /a, /b, then refresh the aggregates.');
    assert.equal(describeChange('compute_aggregates', { window: 'weekly' }), 'Recompute the weekly aggregates, sessions and transitions.');
  });

  it("turns the CLI's wording of where to look into the tools'", () => {
    assert.equal(
      toolErrorMessage(new UsageError('No active project matches "x" (give a project id, path or name; see the projects command).')),
      'No active project matches "x" (give a project id, path or name; see list_registered_projects).',
    );
    assert.equal(toolErrorMessage(new UsageError('--since 2026-01-02 is after --until 2026-01-01')), 'since 2026-01-02 is after until 2026-01-01');
    assert.equal(toolErrorMessage('plain'), 'plain');
  });

  describe('runTool in-process', () => {
    let core: MetricsCore;
    let ctx: ToolContext;
    let db: string;

    before(async () => {
      const root = tempDir();
      db = path.join(root, 'db.duckdb');
      const alpha = handBuilt(root, 'alpha', many('lint', 6, '2026-11-10T10:00:00', (i) => ({ ok: i !== 0, session: 'one' })));
      assert.equal((await cli(db, 'collect', alpha)).code, 0);
      core = coreOn(db);
      ctx = { core };
    });

    after(() => core.close());

    it('validates input with the schema, defaults included, and answers as the CLI does (display zone offsets)', async () => {
      const { data, text } = await runTool(findTool('get_top_skills')!, ctx, {});
      assert.deepEqual((data as { skill_name: string; total_invocations: number; success_rate: number }[]).map((r) => [r.skill_name, r.total_invocations, r.success_rate]), [['lint', 6, 5 / 6]]);
      const run = await cli(db, 'top', '--json', '--display-tz', 'Europe/Berlin');
      assert.equal(`${text}\n`, run.stdout);
      assert.match(text, /"first_used": "2026-11-10T11:00:00\.000\+01:00"/);
    });

    it('refuses bad input with a readable message', async () => {
      await assert.rejects(runTool(findTool('get_top_skills')!, ctx, { limit: 'ten', window: 'fortnight' }), (err: Error) =>
        err instanceof UsageError &&
        err.message === 'Invalid input for get_top_skills: limit: Invalid input: expected number, received string; window: Invalid option: expected one of "all"|"today"|"7d"|"30d"|"daily"|"weekly"|"monthly"');
      await assert.rejects(runTool(findTool('analyze_skill_effectiveness')!, ctx, undefined), {
        message: 'Invalid input for analyze_skill_effectiveness: skill: Invalid input: expected string, received undefined',
      });
    });

    it('makes derived data fresh through the core before reading it', async () => {
      let asked = 0;
      const counting = new (class extends MetricsCore {
        override ensureDerived(): Promise<boolean> {
          asked++;
          return super.ensureDerived();
        }
      })(coreOptions(db));
      const own: ToolContext = { core: counting };
      const { data } = await runTool(findTool('get_correlated_sessions')!, own, {}).finally(() => counting.close());
      assert.equal(asked, 1);
      assert.deepEqual((data as { session_id: string; skills_completed: number }[]).map((s) => [s.session_id, s.skills_completed]), [['one', 5]]);
    });
  });
});
