/**
 * Typed access to the `skillMetrics.*` settings. Every value is validated with zod at this boundary: a
 * bad value is reported (log, and a warning for the user once per distinct mistake) and replaced by its
 * default, never passed on. The core settings are resolved by the core's own resolveSettings().
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import { logger } from '../common/log';
import type { CoreSettings } from '../common/settings';
import { coreSettingsSchema, resolveSettings } from '../common/settings';
import type { ViewWindow } from '../core/scope';
import { VIEW_WINDOWS, WINDOW_LABELS } from '../core/scope';
import { machineTimeZone, resolveTimeZone } from '../common/timeZones';
import { Disposable } from './lifecycle';

const log = logger('config');

export const SECTION = 'skillMetrics';

export { VIEW_WINDOWS, WINDOW_LABELS };
export type { ViewWindow };

/** Each setting: its schema and default (the same defaults as package.json). */
const SCHEMAS = {
  autoRegisterWorkspaceFolders: z.boolean().default(true),
  ...coreSettingsSchema.shape,
  defaultWindow: z.enum(VIEW_WINDOWS).default('30d'),
  sessionStartNotification: z.boolean().default(true),
  'statusBar.enabled': z.boolean().default(true),
  topSkillsLimit: z.number().int().min(1).max(200).default(20),
  retentionDays: z.number().int().min(0).max(36_500).default(0),
} as const;

export type SettingKey = keyof typeof SCHEMAS;
type Values = { [K in SettingKey]: z.output<(typeof SCHEMAS)[K]> };

export interface ExtensionConfig extends Values {
  /** The core's view of the settings: zones resolved ("" = this machine's), file size in bytes. */
  core: CoreSettings;
}

/** Keys whose change alters what the core computes or reads. */
const CORE_KEYS: SettingKey[] = ['sourceTimeZone', 'displayTimeZone', 'minEvidence', 'sessionGapMinutes', 'maxFileSizeMB'];

export interface ConfigChange {
  config: ExtensionConfig;
  /** True when the setting `key` changed. */
  changed(key: SettingKey): boolean;
  /** True when one of the core settings changed. */
  coreChanged: boolean;
}

/**
 * Reads and validates all settings; `problems` receives one message per bad value. The core settings
 * (time zones resolved) are computed on first use of `core`: the first Intl time-zone lookup in a process
 * loads ICU data (~15 ms), which does not belong on the activation path.
 */
export function readConfig(problems: string[] = [], onCoreProblems: (problems: string[]) => void = (p) => problems.push(...p)): ExtensionConfig {
  const section = vscode.workspace.getConfiguration(SECTION);
  const values = {} as Record<string, unknown>;
  for (const [key, schema] of Object.entries(SCHEMAS) as [SettingKey, z.ZodType][]) {
    const raw = section.get(key);
    const parsed = schema.safeParse(raw ?? undefined);
    if (parsed.success) {
      values[key] = parsed.data;
    } else {
      const fallback = schema.parse(undefined);
      problems.push(`The setting ${SECTION}.${key} has an invalid value ${JSON.stringify(raw)} (${parsed.error.issues[0]?.message ?? 'invalid'}); using ${JSON.stringify(fallback)}.`);
      values[key] = fallback;
    }
  }
  const v = values as Values;
  let core: CoreSettings | undefined;
  return Object.defineProperty({ ...v } as ExtensionConfig, 'core', {
    enumerable: true,
    get: (): CoreSettings => (core ??= resolveCore(v, onCoreProblems)),
  });
}

/** The core's settings: unknown time zones are reported and replaced by this machine's zone. */
function resolveCore(v: Values, report: (problems: string[]) => void): CoreSettings {
  const problems: string[] = [];
  const zones = { sourceTimeZone: v.sourceTimeZone, displayTimeZone: v.displayTimeZone };
  for (const key of ['sourceTimeZone', 'displayTimeZone'] as const) {
    try {
      resolveTimeZone(zones[key], key);
    } catch {
      problems.push(`The setting ${SECTION}.${key} names an unknown time zone "${zones[key]}"; using this machine's zone (${machineTimeZone()}). Use an IANA name such as Europe/Berlin, or UTC.`);
      zones[key] = '';
    }
  }
  if (problems.length) report(problems);
  return resolveSettings({ ...zones, minEvidence: v.minEvidence, sessionGapMinutes: v.sessionGapMinutes, maxFileSizeMB: v.maxFileSizeMB });
}

/**
 * The current configuration, kept up to date by one onDidChangeConfiguration listener; listeners get
 * the new configuration and which keys changed. Changes apply without a reload.
 */
export class ConfigService extends Disposable {
  private current: ExtensionConfig;
  private readonly emitter = this._register(new vscode.EventEmitter<ConfigChange>());
  readonly onDidChange = this.emitter.event;
  private readonly reported = new Set<string>();

  constructor() {
    super();
    this.current = this.load();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        const changed = (key: SettingKey): boolean => e.affectsConfiguration(`${SECTION}.${key}`);
        this.current = this.load();
        log.info(`settings changed: ${(Object.keys(SCHEMAS) as SettingKey[]).filter(changed).join(', ')}`);
        this.emitter.fire({ config: this.current, changed, coreChanged: CORE_KEYS.some(changed) });
      }),
    );
  }

  get config(): ExtensionConfig {
    return this.current;
  }

  get<K extends SettingKey>(key: K): ExtensionConfig[K] {
    return this.current[key];
  }

  /** Writes a setting to the user (global) settings. */
  async update<K extends SettingKey>(key: K, value: ExtensionConfig[K] | undefined): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  private load(): ExtensionConfig {
    const problems: string[] = [];
    const config = readConfig(problems, (later) => this.report(later));
    this.report(problems);
    return config;
  }

  private report(problems: string[]): void {
    for (const message of problems) {
      log.warn(message);
      if (this.reported.has(message)) continue;
      this.reported.add(message);
      void vscode.window.showWarningMessage(`Skill Metrics: ${message}`, 'Open Settings').then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', `@ext:skillmetrics.skill-metrics`);
      });
    }
  }
}
