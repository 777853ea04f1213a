/** A typed event without `vscode`: the core announces its changes with it; the editor forwards them to its views. */
/** A listener may return a promise: the one who fires can wait for every listener to finish (fireAndWait). */
export type Listener<T> = (value: T) => void | Promise<void>;

export interface Subscription {
  dispose(): void;
}

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Subscribes; dispose() the result to stop listening. */
  readonly event = (listener: Listener<T>): Subscription => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Whether anyone listens (to skip work whose only purpose is the event). */
  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  fire(value: T): void {
    void this.fireAndWait(value);
  }

  /** Calls every listener and waits for those that return a promise; a failing listener does not stop the others. */
  async fireAndWait(value: T): Promise<void> {
    const results: Promise<void>[] = [];
    for (const listener of [...this.listeners]) {
      try {
        const r = listener(value);
        if (r) results.push(r.catch(() => undefined));
      } catch {
        // one listener's failure is its own
      }
    }
    await Promise.all(results);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
