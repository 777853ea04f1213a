/**
 * The Scope of a question: which projects and which time. Each edge (CLI flags, tool input, a webview
 * message, the trees' state) parses its own input into a Scope once, with parseScope, and passes the value
 * on; the core resolves it once per request. Errors name the scope's fields (`since`, `window`), not a flag
 * or a widget: an edge words them its own way (ScopeError.wordedAs).
 */
import { ScopeError } from '../common/errors';
import type { ScopeField } from '../common/errors';
import type { ViewWindow, Window } from '../common/windows';
import { VIEW_WINDOWS, WINDOWS, WINDOW_LABELS } from '../common/windows';
import { checkDates, parseWindow } from '../analytics/timeRange';

export { ScopeError, VIEW_WINDOWS, WINDOWS, WINDOW_LABELS, parseWindow };
export type { ScopeField, ViewWindow, Window };

export interface Scope {
  /** A project id, folder path or name; undefined: every active project. */
  project?: string;
  /** The window (default all); narrowed further by since/until. */
  window?: Window;
  /** YYYY-MM-DD in the display zone, inclusive. */
  since?: string;
  until?: string;
  /** The present, for tests and reproducible reports (default: now). */
  now?: Date;
}

/** What a caller gives before parsing: plain strings from a flag, a tool argument or a message. */
export interface ScopeInput {
  project?: string | null;
  window?: string;
  since?: string;
  until?: string;
  now?: Date;
}

/** Checks a raw scope (no database needed); throws ScopeError naming the field. */
export function parseScope(input: ScopeInput = {}): Scope {
  const window = input.window === undefined ? undefined : parseWindow(input.window);
  checkDates(input.since, input.until);
  const scope: Scope = {};
  if (input.project) scope.project = input.project;
  if (window) scope.window = window;
  if (input.since) scope.since = input.since;
  if (input.until) scope.until = input.until;
  if (input.now) scope.now = input.now;
  return scope;
}
