/**
 * A trailing debounce per key that is never later than `maxWaitMs` after the first call of a burst: a
 * writer that rewrites a file in several steps, or a run of commits, costs one run. While a run is
 * pending, `track` holds a promise open (the service's whenIdle() waits for it); dispose() drops what is
 * pending.
 */
import type { IDisposable } from './lifecycle';

interface Pending {
  timer: NodeJS.Timeout;
  first: number;
  release: () => void;
}

export class Debouncer<K> implements IDisposable {
  private readonly pending = new Map<K, Pending>();

  constructor(
    private readonly track: (work: Promise<void>) => unknown,
    private readonly delayMs: number,
    private readonly maxWaitMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Runs `run` once the calls for `key` have paused for delayMs (the last call's `run` wins). */
  schedule(key: K, run: () => Promise<unknown>): void {
    const now = Date.now();
    const existing = this.pending.get(key);
    if (existing) clearTimeout(existing.timer);
    let release = existing?.release;
    if (!release) this.track(new Promise<void>((resolve) => (release = resolve)));
    const first = existing?.first ?? now;
    const delay = Math.max(0, Math.min(this.delayMs, first + this.maxWaitMs - now));
    const timer = setTimeout(() => {
      this.pending.delete(key);
      void run()
        .catch(() => undefined)
        .finally(release);
    }, delay);
    this.pending.set(key, { timer, first, release: release! });
  }

  dispose(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.release();
    }
    this.pending.clear();
  }
}
