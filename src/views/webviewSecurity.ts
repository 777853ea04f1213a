/**
 * The Content Security Policy every webview of the extension uses: nothing by default; scripts only by
 * nonce; styles, images and fonts only from the extension's own files (`cspSource`), plus one inline
 * `<style nonce>` where a page has it. No `'unsafe-inline'`, no `'unsafe-eval'`, no remote origin.
 */
import { randomBytes } from 'node:crypto';

/** A fresh nonce for one page load. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string, { inlineStyle = false } = {}): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}${inlineStyle ? ` 'nonce-${nonce}'` : ''}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}
