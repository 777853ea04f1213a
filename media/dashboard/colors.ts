/** Colour helpers without the DOM (unit-tested in Node). */

/**
 * The colour without its alpha: some themes define chart colours translucent, which stacked bars turn
 * into muddy mixes with the background (orange reads brown on dark, peach on light).
 */
export function opaque(color: string): string {
  const hex = /^#([0-9a-f]{6})[0-9a-f]{2}$/i.exec(color);
  if (hex) return `#${hex[1]}`;
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])[0-9a-f]$/i.exec(color);
  if (short) return `#${short[1]}${short[2]}${short[3]}`;
  const rgba = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*[\d.]+\s*\)$/i.exec(color);
  if (rgba) return `rgb(${rgba[1]}, ${rgba[2]}, ${rgba[3]})`;
  return color;
}
