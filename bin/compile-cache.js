// V8's compiled code for the CLI bundle, kept between runs: a run then skips most of the
// parsing and compiling of dist/cli-bundle (~3-5 ms of a `status` that takes ~60 ms, with
// Node's own start-up at ~23 ms; `npm run bench` measures the start-up).
//
// Node 22.1+ does this itself (module.enableCompileCache): it is given our folder. On Node
// 20, the bundle's files are compiled through vm.Script with `cachedData`, the way
// v8-compile-cache does, and what V8 compiled by the end of the run is written at exit.
//
// Where: $XDG_CACHE_HOME/aicli-docker/compile-cache, else ~/.cache/aicli-docker/compile-cache.
// Cached code is code: the folder is made 0700 and used only when it is ours and no one
// else can write to it. Without a HOME, or with NODE_DISABLE_COMPILE_CACHE=1 (Node's own
// switch), nothing is cached. A cache V8 refuses (another Node, a rebuilt bundle) is
// compiled afresh and replaced; it never changes what runs.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The private cache folder, made if need be; undefined when there is none to trust. */
function cacheDir() {
  const env = process.env;
  if (env.NODE_DISABLE_COMPILE_CACHE === '1') return undefined;
  const base = env.XDG_CACHE_HOME || (env.HOME ? path.join(env.HOME, '.cache') : undefined);
  if (base === undefined || !path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'aicli-docker', 'compile-cache', `${process.version}-${process.arch}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
    if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Node 20: compile the bundle's files with V8's cached data; write what is new at exit. */
function hookCompile(dir, bundleDir) {
  const Module = require('node:module');
  const vm = require('node:vm');
  const original = Module.prototype._compile;
  const pending = [];
  // V8 checks a cache against the source's length only: the key carries the file's identity.
  const keyOf = (filename) => {
    try {
      const st = fs.statSync(filename);
      return path.join(dir, `${path.basename(filename)}-${st.size}-${Math.trunc(st.mtimeMs)}-${st.ino}.v8`);
    } catch {
      return undefined;
    }
  };
  // A function, not an arrow: Node calls it with the module as `this`.
  Module.prototype._compile = function compile(content, filename) {
    return compileCached(this, content, filename);
  };
  const compileCached = (mod, content, filename) => {
    if (!filename.startsWith(bundleDir)) return original.call(mod, content, filename);
    const key = keyOf(filename);
    if (key === undefined) return original.call(mod, content, filename);
    let cachedData;
    try {
      cachedData = fs.readFileSync(key);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected === true) pending.push({ key, script });
    const req = (id) => mod.require(id);
    req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    req.main = require.main;
    req.cache = Module._cache;
    return script.runInThisContext({ displayErrors: true }).call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    if (pending.length === 0) return;
    // A rebuilt bundle has new files: the caches of files gone or changed are of no more use.
    try {
      for (const f of fs.readdirSync(dir)) {
        const source = f.endsWith('.v8') ? f.replace(/-\d+-\d+-\d+\.v8$/, '') : undefined;
        if (source !== undefined && keyOf(path.join(bundleDir, source)) !== path.join(dir, f)) fs.rmSync(path.join(dir, f), { force: true });
      }
    } catch {
      // Cleaning is a courtesy.
    }
    for (const { key, script } of pending) {
      // Written whole, then renamed: a run started meanwhile never reads half a file.
      const tmp = `${key}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(tmp, key);
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // Nothing to clean up.
        }
      }
    }
  });
}

/** Turns the cache on for the files under `bundleDir`, if a private folder can hold it. */
function enableCompileCache(bundleDir) {
  const dir = cacheDir();
  if (dir === undefined) return;
  const Module = require('node:module');
  if (typeof Module.enableCompileCache === 'function') Module.enableCompileCache(dir);
  else hookCompile(dir, bundleDir);
}

module.exports = { enableCompileCache };
