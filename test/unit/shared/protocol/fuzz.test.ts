// Issue 10: a seeded fuzz over the guards every host controller runs on a page's messages (the form, the trimmer,
// the Trial player). Every mutation below makes a message certainly invalid; the guard must say so, never throw, and
// stay fast on oversized input.
import * as assert from 'assert';
import { emptyForm } from '../../../../src/shared/createForm';
import { isWebviewToHost } from '../../../../src/shared/protocol/createForm';
import { isTrimmerToHost } from '../../../../src/shared/protocol/trimmer';
import { isPlayerToHost } from '../../../../src/shared/protocol/trialPlayer';

/** mulberry32: a small deterministic PRNG, so a failure names a case that can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Path = (string | number)[];
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Every path to a value inside the message (not the message itself). */
function paths(v: unknown, at: Path = []): Path[] {
  if (typeof v !== 'object' || v === null) {
    return [];
  }
  return Object.keys(v).flatMap((k) => [[...at, k], ...paths((v as Record<string, unknown>)[k], [...at, k])]);
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let cur = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) {
    cur = cur[step] as Record<string | number, unknown>;
  }
  return cur;
}

class Message {
  constructor(readonly type: string) {}
}

/** A value of another JavaScript type than `v` (an object is replaced by a primitive or an array, and so on). */
function otherType(v: unknown, rnd: () => number): unknown {
  const candidates: unknown[] = [
    0,
    -1,
    Number.NaN,
    1e308,
    true,
    null,
    [],
    ['x'],
    'x',
    { nested: { deeper: 1 } },
    new Date(0),
    new Map([['type', 'ready']]),
    new Uint8Array(4),
  ];
  const differs = candidates.filter((c) => {
    const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
    if (kind(c) !== kind(v)) {
      return true;
    }
    // Same typeof 'object': only a non-plain object (Date, Map, typed array) or a different shape is certainly wrong.
    return kind(c) === 'object' && Object.getPrototypeOf(c) !== Object.prototype;
  });
  return differs[Math.floor(rnd() * differs.length)];
}

type Mutation = (m: Record<string, unknown>, rnd: () => number) => unknown;

const MUTATIONS: Record<string, Mutation> = {
  extraKey(m, rnd) {
    const all = [m, ...paths(m).map((p) => parentOf(m, p)[p[p.length - 1]])].filter((o): o is Record<string, unknown> =>
      isObj(o),
    );
    const target = all[Math.floor(rnd() * all.length)];
    const name = ['extra', 'constructor', 'toString', 'then', 'x'.repeat(1000), ''][Math.floor(rnd() * 6)];
    target[name] = rnd() < 0.5 ? 'value' : { deep: [1, 2, 3] };
    return m;
  },
  protoKey(m) {
    // What JSON.parse makes of a page's '{"__proto__": …}': an own key, not a prototype change.
    return { ...m, ...(JSON.parse('{"__proto__": {"polluted": true}}') as object) };
  },
  missingKey(m, rnd) {
    const all = paths(m);
    const p = all[Math.floor(rnd() * all.length)] ?? ['type'];
    delete parentOf(m, p)[p[p.length - 1]];
    return m;
  },
  wrongType(m, rnd) {
    const all: Path[] = [['type'], ...paths(m)];
    const p = all[Math.floor(rnd() * all.length)];
    const parent = parentOf(m, p);
    parent[p[p.length - 1]] = otherType(parent[p[p.length - 1]], rnd);
    return m;
  },
  oversized(m, rnd) {
    const strings = paths(m).filter((p) => typeof parentOf(m, p)[p[p.length - 1]] === 'string');
    const p = strings[Math.floor(rnd() * strings.length)] ?? ['type'];
    parentOf(m, p)[p[p.length - 1]] = 'a'.repeat(4097 + Math.floor(rnd() * 1_000_000));
    return m;
  },
  classInstance(m, rnd) {
    const objects: Path[] = [[], ...paths(m).filter((p) => isObj(parentOf(m, p)[p[p.length - 1]]))];
    const p = objects[Math.floor(rnd() * objects.length)];
    const target = p.length ? (parentOf(m, p)[p[p.length - 1]] as object) : m;
    Object.setPrototypeOf(target, rnd() < 0.5 ? Message.prototype : Array.prototype);
    return m;
  },
  notAnObject(_m, rnd) {
    const values: unknown[] = [undefined, null, 0, 'ready', true, [], [{ type: 'ready' }], new Message('ready')];
    return values[Math.floor(rnd() * values.length)];
  },
  unknownType(m, rnd) {
    return {
      ...m,
      type: ['', 'READY', 'ready ', 'submit\u0000', '__proto__', 'constructor', 'eval'][Math.floor(rnd() * 7)],
    };
  },
};

function isObj(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const sel = { startSec: 1, endSec: 21 };
const GUARDS: { name: string; guard: (v: unknown) => boolean; seeds: Json[] }[] = [
  {
    name: 'createForm (isWebviewToHost)',
    guard: isWebviewToHost,
    seeds: [
      { type: 'ready' },
      { type: 'cancel' },
      { type: 'submit', form: { ...emptyForm(), voiceName: 'Narrator', voiceUrl: 'https://example.com/a.wav' } },
      { type: 'submit', form: { ...emptyForm(), source: 'video', videoId: '8830' } },
      { type: 'openTrimmer' },
    ],
  },
  {
    name: 'trimmer (isTrimmerToHost)',
    guard: isTrimmerToHost,
    seeds: [
      { type: 'ready' },
      { type: 'voiceName', voiceName: 'Narr' },
      { type: 'preview', selection: sel, normalize: false },
      { type: 'create', selection: sel, normalize: true, voiceName: 'Narrator' },
    ],
  },
  {
    name: 'trialPlayer (isPlayerToHost)',
    guard: isPlayerToHost,
    seeds: [{ type: 'ready' }, { type: 'copyVoiceId' }, { type: 'insertSnippet' }, { type: 'showLog' }],
  },
];

const CASES_PER_GUARD = 400;

describe('webview message fuzz over every page guard (issue 10)', function () {
  this.timeout(60_000);
  let total = 0;
  after(() => console.log(`      webview message fuzz: ${total} cases`));

  for (const { name, guard, seeds } of GUARDS) {
    it(`${name}: ${CASES_PER_GUARD} malformed, oversized, wrong-typed, extra-keyed and class-instance messages are refused`, () => {
      for (const seed of seeds) {
        assert.strictEqual(guard(clone(seed)), true, `the seed itself is valid: ${JSON.stringify(seed)}`);
      }
      const rnd = prng(0x10 + name.length);
      const kinds = Object.keys(MUTATIONS);
      const started = Date.now();
      for (let i = 0; i < CASES_PER_GUARD; i++) {
        const seed = seeds[Math.floor(rnd() * seeds.length)] as Record<string, unknown>;
        const kind = kinds[i % kinds.length];
        const message = MUTATIONS[kind](clone(seed), rnd);
        let verdict: boolean;
        try {
          verdict = guard(message);
        } catch (e) {
          assert.fail(`case ${i} (${kind}) of ${JSON.stringify(seed)} threw: ${String(e)}`);
        }
        assert.strictEqual(verdict, false, `case ${i} (${kind}) was accepted: ${safeJson(message)}`);
        total++;
      }
      assert.ok(Date.now() - started < 10_000, `${CASES_PER_GUARD} cases took ${Date.now() - started} ms`);
    });
  }
});

function safeJson(v: unknown): string {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 300);
  } catch {
    return String(v);
  }
}
