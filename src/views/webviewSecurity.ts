/**
 * The Content Security Policy of the dashboard webview: nothing by default; scripts only by nonce; styles,
 * images and fonts only from the extension's own files (`cspSource`). No `'unsafe-inline'`, no
 * `'unsafe-eval'`, no remote origin.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce for one page load. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource}`, `img-src ${cspSource} data:`, `font-src ${cspSource}`].join('; ');
}
