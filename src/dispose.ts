// No `vscode` import: anything with a dispose() method can be registered, so this file is unit-tested in plain mocha.

/** Something that can be disposed: a vscode.Disposable, an EventEmitter, a webview panel, a controller. */
export interface DisposableLike {
  dispose(): unknown;
}

/** Disposes every item of `list` (the last registered first) and empties it. */
export function disposeAll(list: DisposableLike[]): void {
  while (list.length) {
    list.pop()?.dispose();
  }
}

/**
 * The one disposal idiom of the extension's VS Code side: a class `_register`s what it owns (subscriptions,
 * emitters, registrations) and gets an idempotent `dispose()` that disposes all of it. A class whose dispose
 * does more (aborts work, clears a map) overrides `dispose()` and calls `super.dispose()`.
 */
export abstract class Disposable {
  private _isDisposed = false;
  protected readonly _disposables: DisposableLike[] = [];

  /** Disposes everything registered; later calls do nothing. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    disposeAll(this._disposables);
  }

  /** Keeps `value` to dispose with this object; once this object is disposed, disposes `value` at once. */
  protected _register<T extends DisposableLike>(value: T): T {
    if (this._isDisposed) {
      value.dispose();
    } else {
      this._disposables.push(value);
    }
    return value;
  }

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }
}
