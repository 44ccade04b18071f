import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * V8's code cache for the handler's bundle, written once when the image is built and read at every cold
 * start. Node's own compile cache (`module.enableCompileCache`) stores only what V8 compiled eagerly,
 * before the module ran; a bundle is almost all functions compiled lazily, so it saves little. This
 * cache is taken after a warm-up invocation (`createCachedData` then holds every function that ran), so
 * a cold start neither parses nor compiles what the first request needs.
 *
 * V8 checks the cache against the source, its own version and its flags, and rejects one that does not
 * match: the bundle is then compiled as without a cache, only slower.
 */

/** Where the cache of `file` lives: beside it, so that the image carries both. */
export const codeCacheFile = (file: string) => `${file}.v8-cache`;

/** What loading a file found of its cache. */
export type CodeCacheUse = 'used' | 'rejected' | 'absent';

/** A CommonJS file loaded with its cache, and the compiled script (to take a cache of). */
export interface LoadedModule {
  /** The file's resolved path. */
  file: string;
  exports: Record<string, unknown>;
  cache: CodeCacheUse;
  script: vm.Script;
}

/**
 * `require(file)` through V8's code cache: the file is compiled with its cache when there is one, run as
 * CommonJS in this context, and registered in `require.cache` so that a later `require` gets the same module.
 */
export function requireWithCodeCache(file: string, options: { useCache?: boolean } = {}): LoadedModule {
  const resolved = require.resolve(file);
  const cacheFile = codeCacheFile(resolved);
  const cachedData = options.useCache !== false && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(readFileSync(resolved, 'utf8')), {
    filename: resolved,
    cachedData,
    // A bundle may still `import()` (the AWS SDK's credential providers do): resolved as require's would be.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(resolved, module);
  mod.filename = resolved;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(resolved));
  require.cache[resolved] = mod;
  const moduleRequire = Object.assign((id: string) => mod.require(id), { resolve: (id: string) => require.resolve(id, { paths: mod.paths }) });
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, moduleRequire, mod, resolved, path.dirname(resolved));
  mod.loaded = true;
  const cache: CodeCacheUse = cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  return { file: resolved, exports: mod.exports as Record<string, unknown>, cache, script };
}

/** Writes the cache of a loaded file, with every function compiled so far; returns its size in bytes. */
export function writeCodeCache(loaded: LoadedModule): number {
  const data = loaded.script.createCachedData();
  writeFileSync(codeCacheFile(loaded.file), data);
  return data.length;
}
