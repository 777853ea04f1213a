/**
 * The names of time windows, one list for every surface (no imports: the webview bundles it). What a window
 * means in instants is resolved in the display zone by src/analytics/timeRange.ts.
 *
 * `all`; `today`, `7d`, `30d` (rolling, whole days including today); `daily`, `weekly`, `monthly` (the
 * current bucket: today, this ISO week from Monday, this month).
 */
export const WINDOWS = ['all', 'today', '7d', '30d', 'daily', 'weekly', 'monthly'] as const;
export type Window = (typeof WINDOWS)[number];

/** The windows a person picks from in the editor (trees, status bar, dashboard presets). */
export const VIEW_WINDOWS = ['today', '7d', '30d', 'all'] as const satisfies readonly Window[];
export type ViewWindow = (typeof VIEW_WINDOWS)[number];

export const WINDOW_LABELS: Record<ViewWindow, string> = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  all: 'All time',
};
