import * as assert from 'assert';

import { Disposable, disposeAll, type DisposableLike } from '../../src/dispose';

/** A disposable that counts how often it was disposed. */
function counter(): DisposableLike & { count: number } {
  const d = {
    count: 0,
    dispose() {
      d.count++;
    },
  };
  return d;
}

class Owner extends Disposable {
  register<T extends DisposableLike>(value: T): T {
    return this._register(value);
  }

  get disposed(): boolean {
    return this.isDisposed;
  }
}

describe('dispose: the Disposable base', () => {
  it('disposes everything registered once, however often dispose is called', () => {
    const owner = new Owner();
    const a = owner.register(counter());
    const b = owner.register(counter());
    assert.strictEqual(owner.disposed, false);
    owner.dispose();
    owner.dispose();
    assert.strictEqual(owner.disposed, true);
    assert.deepStrictEqual([a.count, b.count], [1, 1]);
  });

  it('disposes at once what is registered after dispose, and returns it', () => {
    const owner = new Owner();
    owner.dispose();
    const late = counter();
    assert.strictEqual(owner.register(late), late);
    assert.strictEqual(late.count, 1);
    owner.dispose();
    assert.strictEqual(late.count, 1);
  });

  it('lets an override add its own work and still dispose once', () => {
    const calls: string[] = [];
    class Busy extends Disposable {
      constructor() {
        super();
        this._register({ dispose: () => calls.push('subscription') });
      }
      override dispose(): void {
        calls.push('extra');
        super.dispose();
      }
    }
    const busy = new Busy();
    busy.dispose();
    assert.deepStrictEqual(calls, ['extra', 'subscription']);
  });

  it('disposeAll disposes the last registered first and empties the list', () => {
    const order: number[] = [];
    const list: DisposableLike[] = [1, 2, 3].map((n) => ({ dispose: () => order.push(n) }));
    disposeAll(list);
    assert.deepStrictEqual(order, [3, 2, 1]);
    assert.strictEqual(list.length, 0);
  });
});
