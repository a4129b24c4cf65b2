import * as assert from 'assert';

import { clampSelection, moveSelection, resizeSelection, selectionProblem } from '../../../src/shared/selection';

describe('trimmer: selection arithmetic', () => {
  it('clamps into the file, orders the edges, keeps a minimum length and rounds to 10 ms', () => {
    assert.deepStrictEqual(clampSelection({ startSec: -3, endSec: 50 }, 40), { startSec: 0, endSec: 40 });
    assert.deepStrictEqual(clampSelection({ startSec: 12, endSec: 2 }, 40), { startSec: 2, endSec: 12 });
    assert.deepStrictEqual(clampSelection({ startSec: 39.9, endSec: 39.95 }, 40), { startSec: 39.5, endSec: 40 });
    assert.deepStrictEqual(clampSelection({ startSec: Number.NaN, endSec: Number.POSITIVE_INFINITY }, 40), {
      startSec: 0,
      endSec: 40,
    });
    assert.deepStrictEqual(clampSelection({ startSec: 1.23456, endSec: 7.00001 }, 40), { startSec: 1.23, endSec: 7 });
  });

  it('moves the window keeping its length, stopping at both ends, without drift', () => {
    let s = { startSec: 10, endSec: 30 };
    for (let i = 0; i < 3; i++) {
      s = moveSelection(s, 0.1, 40);
    }
    assert.deepStrictEqual(s, { startSec: 10.3, endSec: 30.3 });
    assert.deepStrictEqual(moveSelection(s, 100, 40), { startSec: 20, endSec: 40 });
    assert.deepStrictEqual(moveSelection(s, -100, 40), { startSec: 0, endSec: 20 });
  });

  it('resizes one edge, never past the other', () => {
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'start', 5, 40), { startSec: 5, endSec: 30 });
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'end', 45, 40), { startSec: 10, endSec: 40 });
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'start', 35, 40), {
      startSec: 29.5,
      endSec: 30,
    });
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'end', 0, 40), { startSec: 10, endSec: 10.5 });
  });

  it("states Kling's 5–30 s rule with the real length", () => {
    assert.strictEqual(selectionProblem({ startSec: 0, endSec: 5 }), undefined);
    assert.strictEqual(selectionProblem({ startSec: 10, endSec: 40 }), undefined);
    assert.match(selectionProblem({ startSec: 0, endSec: 4.9 }) ?? '', /4\.9 s.*5–30 s/);
    assert.match(selectionProblem({ startSec: 0, endSec: 30.2 }) ?? '', /30\.2 s.*shorter/);
  });
});
