// An esbuild plugin for the CLI bundle (scripts/bundle-cli.js): every named import of a
// module that is only a list of exports (src/index.ts, the features' index.ts) is pointed at
// the module that declares the name, before esbuild links.
//
// Why: esbuild splits code by FILE. A file goes into the chunks of every entry point (each
// command is one, being loaded with import()) that reaches it through ANY import record of
// a file it reaches, whichever names are used (internal/linker/linker.go,
// markFileReachableForCodeSplitting). The CLI imports only the public API, src/index.ts,
// whose import records reach every feature, and every feature is used by SOME command, so
// every command got every feature, and `sideEffects: false` changes nothing: it only drops
// files no entry point uses at all. With the imports pointed past the export lists, a
// command reaches only the files it uses.
//
// The rewrite keeps what each import means: an imported binding is the declaring module's
// binding, whichever module re-exported it. What it leaves out is loading the re-exported
// modules a command does not use, which is sound because the library's modules only declare
// things when loaded (none registers anything or changes global state). A module with code
// of its own is never looked past, and bundle-cli.js fails the build if src/index.ts itself
// ends up in the bundle (it would, once it held anything but exports).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** A module's exports: local names, named re-exports, `export *` sources. */
function exportsOf(file, cache) {
  let info = cache.get(file);
  if (info !== undefined) return info;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const imported = new Map(); // local name -> { from, name }
  const local = new Set();
  const named = new Map(); // exported name -> { from, name } | { local }
  const star = [];
  let onlyExports = true;
  const target = (spec) => path.resolve(path.dirname(file), spec);
  const exported = (node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of source.statements) {
    if (ts.isImportDeclaration(st)) {
      const spec = st.moduleSpecifier.text;
      if (st.importClause === undefined) onlyExports = false; // import './x.js': for its effects
      const bindings = st.importClause?.namedBindings;
      if (spec.startsWith('.') && bindings !== undefined && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) imported.set(el.name.text, { from: target(spec), name: (el.propertyName ?? el.name).text });
      }
      if (st.importClause?.name !== undefined && spec.startsWith('.')) imported.set(st.importClause.name.text, { from: target(spec), name: 'default' });
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier?.text;
      if (st.exportClause === undefined) {
        if (spec?.startsWith('.')) star.push(target(spec));
      } else if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const orig = (el.propertyName ?? el.name).text;
          named.set(el.name.text, spec === undefined ? { local: orig } : spec.startsWith('.') ? { from: target(spec), name: orig } : { own: true });
        }
      } else {
        named.set(st.exportClause.name.text, { own: true }); // export * as ns: a namespace object, made here
      }
      continue;
    }
    onlyExports = false;
    if (!exported(st)) continue;
    const isDefault = (ts.getModifiers(st) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (isDefault) named.set('default', { own: true });
    else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) collectNames(d.name, (n) => local.add(n));
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name !== undefined) local.add(st.name.text);
  }
  // `export { x }` of an imported x is a re-export too.
  for (const [name, e] of named) {
    if (e.local === undefined) continue;
    const via = imported.get(e.local);
    named.set(name, via ?? { own: true });
  }
  info = { local, named, star, onlyExports };
  cache.set(file, info);
  return info;
}

function collectNames(binding, add) {
  if (ts.isIdentifier(binding)) add(binding.text);
  else for (const el of binding.elements) if (!ts.isOmittedExpression(el)) collectNames(el.name, add);
}

/** Whether `file` exports `name`, itself or through `export *`. */
function hasExport(file, name, cache, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const info = exportsOf(file, cache);
  return info.local.has(name) || info.named.has(name) || info.star.some((from) => hasExport(from, name, cache, seen));
}

/** The module to import `name` from instead of `file`, and its name there. */
function declaringModule(file, name, cache, seen = new Set()) {
  const key = `${file}\0${name}`;
  if (seen.has(key)) throw new Error(`direct-imports: an export cycle for "${name}" through ${file}`);
  seen.add(key);
  const info = exportsOf(file, cache);
  // Only an export list is looked past: a module with code of its own is imported as it is.
  if (!info.onlyExports || info.local.has(name)) return { file, name };
  const e = info.named.get(name);
  if (e !== undefined) return e.own === true ? { file, name } : declaringModule(e.from, e.name, cache, seen);
  const from = info.star.find((f) => hasExport(f, name, cache));
  if (from === undefined) throw new Error(`direct-imports: ${file} does not export "${name}"`);
  return declaringModule(from, name, cache, seen);
}

/**
 * @param {{ root: string }} options `root`: the compiled code (dist/); only its modules are
 *   rewritten, and only past modules of its that are export lists.
 */
export function directImports({ root }) {
  const absRoot = path.resolve(root);
  return {
    name: 'direct-imports',
    setup(b) {
      const cache = new Map();
      b.onStart(() => {
        cache.clear();
      });
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(absRoot + path.sep)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        const source = ts.createSourceFile(args.path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
        const edits = [];
        for (const st of source.statements) {
          // import { a, b as c } from '...'  and  export { a, b as c } from '...'
          let elements;
          let keyword;
          if (ts.isImportDeclaration(st)) {
            const bindings = st.importClause?.namedBindings;
            if (st.importClause?.name !== undefined || bindings === undefined || !ts.isNamedImports(bindings)) continue;
            elements = bindings.elements;
            keyword = 'import';
          } else if (ts.isExportDeclaration(st) && st.moduleSpecifier !== undefined && st.exportClause !== undefined && ts.isNamedExports(st.exportClause)) {
            elements = st.exportClause.elements;
            keyword = 'export';
          } else {
            continue;
          }
          const spec = st.moduleSpecifier.text;
          if (!spec.startsWith('.')) continue;
          const from = path.resolve(path.dirname(args.path), spec);
          const byModule = new Map();
          for (const el of elements) {
            const found = declaringModule(from, (el.propertyName ?? el.name).text, cache);
            const list = byModule.get(found.file) ?? [];
            list.push(found.name === el.name.text ? found.name : `${found.name} as ${el.name.text}`);
            byModule.set(found.file, list);
          }
          if (byModule.size === 1 && byModule.has(from)) continue;
          const specOf = (file) => {
            const rel = path.relative(path.dirname(args.path), file).split(path.sep).join('/');
            return rel.startsWith('.') ? rel : `./${rel}`;
          };
          const replacement = [...byModule].map(([file, names]) => `${keyword} { ${names.join(', ')} } from ${JSON.stringify(specOf(file))};`).join(' ');
          edits.push({ start: st.getStart(source), end: st.getEnd(), replacement });
        }
        if (edits.length === 0) return undefined;
        let out = text;
        for (const e of edits.reverse()) out = out.slice(0, e.start) + e.replacement + out.slice(e.end);
        return { contents: out, loader: 'js' };
      });
    },
  };
}
