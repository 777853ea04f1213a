/** Disposable helpers: classes own what they create and dispose it in reverse order. */
export interface IDisposable {
  dispose(): unknown;
}

export abstract class Disposable implements IDisposable {
  private readonly disposables: IDisposable[] = [];
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Takes ownership of `d`; disposes it at once when this object is already disposed. */
  protected _register<T extends IDisposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.disposables.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.disposables);
  }
}

/** Disposes in reverse order; one failing dispose does not stop the others. */
export function disposeAll(list: IDisposable[]): void {
  while (list.length) {
    const d = list.pop()!;
    try {
      d.dispose();
    } catch {
      // nothing more to do
    }
  }
}

export function toDisposable(fn: () => void): IDisposable {
  return { dispose: fn };
}
