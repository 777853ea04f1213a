/**
 * Tiny DOM helpers. Never sets a `style` attribute (the CSP has no 'unsafe-inline'): styling is by class,
 * and the few computed sizes go through the CSSOM (`el.style.height = ...`), which the CSP allows.
 */

export type Child = Node | string | number | null | undefined | false | Child[];
type Attr = string | number | boolean | null | undefined;
type Attrs = Record<string, Attr | ((e: Event) => void)>;

function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

function applyAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'style') throw new Error('style attributes are not allowed by the CSP; use a class');
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
}

/** `h('button', { class: 'x', onclick: fn }, 'text')` */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/** A codicon (shipped locally with the webview). */
export function icon(name: string, label?: string): HTMLElement {
  return h('span', { class: `codicon codicon-${name}`, 'aria-hidden': label ? undefined : 'true', role: label ? 'img' : undefined, 'aria-label': label });
}

/** Escapes text for the HTML strings chart tooltips are made of. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Enter and Space activate an element that is not a button by nature (table rows). */
export function activatable<T extends HTMLElement>(el: T, label: string, action: () => void): T {
  el.tabIndex = 0;
  el.setAttribute('role', el.getAttribute('role') ?? 'button');
  el.setAttribute('aria-label', label);
  el.classList.add('activatable');
  el.addEventListener('click', action);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      action();
    }
  });
  return el;
}

/** A small inline sparkline (SVG polyline) of counts. */
export function sparkline(values: number[], label: string, width = 96, height = 22): SVGSVGElement {
  const max = Math.max(1, ...values);
  const n = values.length;
  const x = (i: number): number => (n <= 1 ? width / 2 : (i / (n - 1)) * (width - 2) + 1);
  const y = (v: number): number => height - 2 - (v / max) * (height - 4);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const area = n ? `M${x(0).toFixed(1)},${height - 1} L${points.replace(/ /g, ' L')} L${x(n - 1).toFixed(1)},${height - 1} Z` : '';
  return s('svg', { class: 'sparkline', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    s('path', { class: 'spark-area', d: area }),
    s('polyline', { class: 'spark-line', points, fill: 'none' }),
  );
}

/** Weekly counts as tiny bars. */
export function miniBars(values: number[], label: string, width = 96, height = 22): SVGSVGElement {
  const max = Math.max(1, ...values);
  const n = Math.max(1, values.length);
  const bw = width / n;
  return s('svg', { class: 'minibars', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    ...values.map((v, i) => {
      const bh = Math.max(v > 0 ? 1.5 : 0, (v / max) * (height - 2));
      return s('rect', { x: (i * bw + 1).toFixed(1), y: (height - bh).toFixed(1), width: Math.max(1, bw - 2).toFixed(1), height: bh.toFixed(1) });
    }),
  );
}
