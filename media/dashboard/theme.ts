/**
 * Chart colours and fonts, read from the `--vscode-*` CSS variables VS Code sets on the webview (light,
 * dark, high contrast). Charts are re-rendered when the theme changes (body class / variables).
 */

import { opaque } from './colors';

export interface Theme {
  kind: 'light' | 'dark' | 'hc-dark' | 'hc-light';
  highContrast: boolean;
  fg: string;
  muted: string;
  bg: string;
  widgetBg: string;
  border: string;
  lines: string;
  grid: string;
  focus: string;
  font: string;
  fontSize: number;
  blue: string;
  red: string;
  green: string;
  yellow: string;
  orange: string;
  purple: string;
  /** Series colours, in order. */
  palette: string[];
}

function read(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

function opaqueRead(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return opaque(read(style, name, fallback));
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const cls = document.body.classList;
  const kind: Theme['kind'] = cls.contains('vscode-high-contrast-light')
    ? 'hc-light'
    : cls.contains('vscode-high-contrast')
      ? 'hc-dark'
      : cls.contains('vscode-light')
        ? 'light'
        : 'dark';
  const dark = kind === 'dark' || kind === 'hc-dark';
  const fg = read(style, '--vscode-foreground', dark ? '#cccccc' : '#3b3b3b');
  const chartFg = read(style, '--vscode-charts-foreground', fg);
  const lines = read(style, '--vscode-charts-lines', dark ? 'rgba(204,204,204,0.5)' : 'rgba(59,59,59,0.5)');
  const blue = opaqueRead(style, '--vscode-charts-blue', '#3794ff');
  const red = opaqueRead(style, '--vscode-charts-red', '#f14c4c');
  const green = opaqueRead(style, '--vscode-charts-green', '#89d185');
  const yellow = opaqueRead(style, '--vscode-charts-yellow', '#cca700');
  const orange = opaqueRead(style, '--vscode-charts-orange', '#d18616');
  const purple = opaqueRead(style, '--vscode-charts-purple', '#b180d7');
  const highContrast = kind.startsWith('hc');
  const border = read(style, '--vscode-contrastBorder', '') || read(style, '--vscode-widget-border', '') || read(style, '--vscode-editorWidget-border', lines);
  return {
    kind,
    highContrast,
    fg: chartFg,
    muted: read(style, '--vscode-descriptionForeground', lines),
    bg: read(style, '--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    widgetBg: read(style, '--vscode-editorWidget-background', dark ? '#252526' : '#f8f8f8'),
    border,
    lines,
    grid: highContrast ? lines : read(style, '--vscode-editorWidget-border', lines),
    focus: read(style, '--vscode-focusBorder', blue),
    // Single quotes: the exported SVG carries the font in an attribute, where a double quote would end it.
    font: read(style, '--vscode-font-family', 'system-ui, sans-serif').replace(/"/g, "'"),
    fontSize: Number.parseFloat(read(style, '--vscode-font-size', '13')) || 13,
    blue,
    red,
    green,
    yellow,
    orange,
    purple,
    palette: [blue, orange, green, purple, yellow, red],
  };
}

/** Calls `fn` when VS Code switches the colour theme (it rewrites the body class and the variables). */
export function onThemeChange(fn: () => void): void {
  let last = document.body.className + (document.documentElement.getAttribute('style') ?? '');
  new MutationObserver(() => {
    const now = document.body.className + (document.documentElement.getAttribute('style') ?? '');
    if (now !== last) {
      last = now;
      fn();
    }
  }).observe(document.documentElement, { attributes: true, subtree: false, attributeFilter: ['style', 'class'] });
  new MutationObserver(() => {
    const now = document.body.className + (document.documentElement.getAttribute('style') ?? '');
    if (now !== last) {
      last = now;
      fn();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
