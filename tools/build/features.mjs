// The extension host code in two bundles, so that VS Code's start loads only what activation needs:
//   dist/extension.js  everything src/extension.ts imports statically (the "core"), and
//   dist/features.js   every module the core reaches only through a `require('./…')` in src/ (see src/lazy.ts) (a "lazy feature"),
//                      with what those need and the core does not.
// One features bundle, not one per require(): a module two features share exists once, so its state does too.
//
// A module of the core that a feature imports is not copied into dist/features.js: the import becomes
// `require('./extension.js').__core[key]`, the very module object the core uses (the same l10n bundle, the same
// `KlingError` for `instanceof`, the same worker). The core's `__core` lists exactly those modules.
//
// Three esbuild passes: (1) the core, to learn its modules and the features it imports; (2) the features, mapping
// the core's modules as above; (3) the core again, now exporting `__core`. Passes 2 and 3 repeat until pass 3 holds no module the
// features were not built against, so what the features were built against is what ships.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const FEATURES = './features.js';
const CORE = './extension.js';

/** The key of a resolved file: its path relative to the project, as in esbuild's metafile. */
function keyOf(root, file) {
  return path.relative(root, file).split(path.sep).join('/');
}

/**
 * True for a module of nothing but re-exports (src/kling/index.ts): it has no state, so the features bundle keeps
 * its own copy and each module it re-exports is mapped on its own; mapped whole, its namespace would pull into the
 * core everything it re-exports, including what the core itself does not use.
 */
function isBarrel(file) {
  const code = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const statements = code
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    statements.length > 0 &&
    statements.every((s) => /^export\s+(type\s+)?(\*|\{[^}]*\})(\s+as\s+\w+)?\s+from\s+['"][^'"]+['"]$/.test(s))
  );
}

/** A CommonJS module that is another bundle's module object, found by key in its export `name`. */
function proxyModule(bundle, name, key) {
  return {
    contents: `module.exports = require(${JSON.stringify(bundle)}).${name}[${JSON.stringify(key)}];`,
    loader: 'js',
  };
}

/** The features' modules: a relative `require()` in the core loads dist/features.js and takes its module from there. */
function lazyFeatures(root, lazyKeys) {
  return {
    name: 'lazy-features',
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (
          args.kind !== 'require-call' ||
          args.pluginData?.inner ||
          !args.importer.includes(`${path.sep}src${path.sep}`)
        ) {
          return undefined;
        }
        const found = await build.resolve(args.path, {
          kind: 'import-statement',
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { inner: true },
        });
        if (found.errors.length > 0) {
          return { errors: found.errors };
        }
        const key = keyOf(root, found.path);
        lazyKeys.add(key);
        return { path: key, namespace: 'lazy-feature' };
      });
      build.onResolve({ filter: /^\.\/features\.js$/ }, () => ({ path: FEATURES, external: true }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-feature' }, (args) => ({
        ...proxyModule(FEATURES, '__lazy', args.path),
        resolveDir: root,
      }));
    },
  };
}

/** In the features bundle: an import of a module the core holds takes the core's module object. */
function coreModules(root, coreKeys, usedKeys) {
  return {
    name: 'core-modules',
    setup(build) {
      build.onResolve({ filter: /^\.\/extension\.js$/, namespace: 'core-module' }, () => ({
        path: CORE,
        external: true,
      }));
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.namespace === 'core-module' || args.pluginData?.inner) {
          return undefined;
        }
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: { inner: true },
        });
        if (found.errors.length > 0 || found.external || !found.path) {
          return undefined;
        }
        const key = keyOf(root, found.path);
        if (!coreKeys.has(key) || (key.startsWith('src/') && isBarrel(found.path))) {
          return undefined;
        }
        usedKeys.add(key);
        return { path: key, namespace: 'core-module' };
      });
      build.onLoad({ filter: /.*/, namespace: 'core-module' }, (args) => ({
        ...proxyModule(CORE, '__core', args.path),
        resolveDir: root,
      }));
    },
  };
}

/** An entry that imports each key as a namespace and exports them as one object `name`. */
function namespaceEntry(root, keys, name, prefix = '') {
  const list = [...keys].sort();
  const imports = list.map((key, i) => `import * as m${i} from ${JSON.stringify(`./${key}`)};`);
  const object = list.map((key, i) => `  ${JSON.stringify(key)}: m${i},`);
  return {
    contents: [prefix, ...imports, `export const ${name} = {`, ...object, '};', ''].join('\n'),
    resolveDir: root,
    sourcefile: `${name}.ts`,
    loader: 'ts',
  };
}

/** The inputs of a built bundle, as keys. */
function inputsOf(result) {
  const [, output] = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.js'));
  return new Set(
    Object.keys(output.inputs).filter(
      (key) => key !== '<stdin>' && !key.endsWith('__core.ts') && !key.endsWith('__lazy.ts'),
    ),
  );
}

/**
 * Builds dist/extension.js and dist/features.js from `options` (esbuild options of the host bundle: entryPoints
 * [src/extension.ts], outfile dist/extension.js, plugins for the lazy libraries).
 */
export async function buildExtension(options) {
  const root = options.absWorkingDir;
  const entry = options.entryPoints[0];
  const outDir = path.dirname(options.outfile);
  const lazyKeys = new Set();
  const first = await esbuild.build({
    ...options,
    write: false,
    metafile: true,
    plugins: [...options.plugins, lazyFeatures(root, lazyKeys)],
  });
  let coreKeys = inputsOf(first);
  const { entryPoints: _e, outfile: _o, ...common } = options;
  // A namespace of the core keeps all of a module's exports, and so may pull into the core a module that only the
  // features used: then the features are built again against the larger core, until the core stops growing.
  for (let pass = 0; pass < 5; pass++) {
    const usedKeys = new Set();
    await esbuild.build({
      ...common,
      stdin: namespaceEntry(root, lazyKeys, '__lazy'),
      outfile: path.join(outDir, 'features.js'),
      plugins: [...options.plugins, coreModules(root, coreKeys, usedKeys)],
    });
    const last = await esbuild.build({
      ...common,
      stdin: namespaceEntry(root, usedKeys, '__core', `export * from ${JSON.stringify(`./${entry}`)};`),
      outfile: options.outfile,
      metafile: true,
      plugins: [...options.plugins, lazyFeatures(root, new Set())],
    });
    const lastKeys = inputsOf(last);
    if ([...lastKeys].every((key) => coreKeys.has(key))) {
      return;
    }
    coreKeys = new Set([...coreKeys, ...lastKeys]);
  }
  throw new Error('dist/extension.js: the core kept growing; see tools/build/features.mjs');
}
