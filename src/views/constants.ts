/**
 * Every id the editor side contributes or reads, in one place (package.json declares the same ids).
 * Commands `skillMetrics.<camelVerb>`, views `skillMetrics.<view>`, context keys `skillMetrics:<key>`,
 * tree item context values `skillMetrics:<kind>`.
 */

export const EXTENSION_NAME = 'Skill Metrics';

export const Commands = {
  collectNow: 'skillMetrics.collectNow',
  aggregate: 'skillMetrics.aggregate',
  openDashboard: 'skillMetrics.openDashboard',
  registerFolder: 'skillMetrics.registerFolder',
  unregisterProject: 'skillMetrics.unregisterProject',
  analyzeEffectiveness: 'skillMetrics.analyzeEffectiveness',
  compareSkill: 'skillMetrics.compareSkill',
  showRecommendations: 'skillMetrics.showRecommendations',
  showCorrelationReport: 'skillMetrics.showCorrelationReport',
  export: 'skillMetrics.export',
  healthCheck: 'skillMetrics.healthCheck',
  cleanUp: 'skillMetrics.cleanUp',
  showLog: 'skillMetrics.showLog',
  refresh: 'skillMetrics.refresh',
  selectTimeWindow: 'skillMetrics.selectTimeWindow',
  selectProjectFilter: 'skillMetrics.selectProjectFilter',
  changeProjectFilter: 'skillMetrics.changeProjectFilter',
  collectProject: 'skillMetrics.collectProject',
  revealProject: 'skillMetrics.revealProject',
  registerProjectAgain: 'skillMetrics.registerProjectAgain',
} as const;

export const Views = {
  container: 'skillMetrics',
  topSkills: 'skillMetrics.topSkills',
  projects: 'skillMetrics.projects',
  recommendations: 'skillMetrics.recommendations',
  sessions: 'skillMetrics.sessions',
} as const;

export const ContextKeys = {
  /** The database was opened once (or failed): welcome views may show. */
  ready: 'skillMetrics:ready',
  hasProjects: 'skillMetrics:hasProjects',
  hasData: 'skillMetrics:hasData',
  collecting: 'skillMetrics:collecting',
  hasProblems: 'skillMetrics:hasProblems',
  databaseError: 'skillMetrics:databaseError',
  projectFiltered: 'skillMetrics:projectFiltered',
} as const;

export const ContextValues = {
  skill: 'skillMetrics:skill',
  skillDetail: 'skillMetrics:skillDetail',
  projectActive: 'skillMetrics:project.active',
  projectInactive: 'skillMetrics:project.inactive',
  projectDetail: 'skillMetrics:projectDetail',
  problem: 'skillMetrics:problem',
  recommendation: 'skillMetrics:recommendation',
  recommendationForSkill: 'skillMetrics:recommendation.skill',
  evidence: 'skillMetrics:evidence',
  session: 'skillMetrics:session',
  sessionItem: 'skillMetrics:sessionItem',
  message: 'skillMetrics:message',
} as const;

/** Webview panel type of the rendered reports (effectiveness, comparison). */

/** URI scheme of the read-only text documents (correlation report, health check). */
export const DOCUMENT_SCHEME = 'skill-metrics';

/** workspaceState / globalState keys. */
export const StateKeys = {
  sessionStartLastShown: 'skillMetrics.sessionStart.lastShown',
  timeWindow: 'skillMetrics.view.timeWindow',
  projectFilter: 'skillMetrics.view.projectFilter',
  /** Workspace folders the user unregistered: auto-registration leaves them alone. */
  optedOutFolders: 'skillMetrics.projects.optedOut',
  lastRetentionRun: 'skillMetrics.retention.lastRun',
} as const;

