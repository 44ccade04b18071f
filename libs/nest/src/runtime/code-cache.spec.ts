import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { codeCacheFile, requireWithCodeCache, writeCodeCache } from './code-cache';

// Each load runs in a fresh process, as a cold start does: V8 would otherwise reuse what this process compiled.
const loader = path.join(__dirname, 'code-cache.ts');
function loadInFreshProcess(file: string, mode: 'load' | 'write' = 'load') {
  const script = `
    const { requireWithCodeCache, writeCodeCache } = require(${JSON.stringify(loader)});
    const loaded = requireWithCodeCache(${JSON.stringify(file)});
    const answer = loaded.exports.answer();
    if (${JSON.stringify(mode)} === 'write') writeCodeCache(loaded);
    const again = require(${JSON.stringify(file)}) === loaded.exports;
    process.stdout.write(JSON.stringify({ cache: loaded.cache, answer, again }));`;
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { cache: string; answer: number; again: boolean };
}

describe('the V8 code cache of a handler bundle', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'code-cache-'));
    file = path.join(dir, 'handler.js');
    writeFileSync(file, 'const path = require("node:path");\nexports.answer = () => 40 + path.basename("/x/2").length + 1;\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a file without a cache as require would, and registers it in require.cache', () => {
    expect(loadInFreshProcess(file)).toEqual({ cache: 'absent', answer: 42, again: true });
  });

  it('uses the cache written after the file ran', () => {
    expect(loadInFreshProcess(file, 'write').cache).toBe('absent');
    expect(readFileSync(codeCacheFile(file)).length).toBeGreaterThan(0);
    expect(loadInFreshProcess(file)).toEqual({ cache: 'used', answer: 42, again: true });
  });

  it('reports a cache V8 refuses (another source, a damaged file) and still loads the file', () => {
    loadInFreshProcess(file, 'write');
    writeFileSync(file, 'exports.answer = () => 7;\n');
    expect(loadInFreshProcess(file)).toEqual({ cache: 'rejected', answer: 7, again: true });
    writeFileSync(codeCacheFile(file), Buffer.from('not a code cache'));
    expect(loadInFreshProcess(file)).toMatchObject({ cache: 'rejected', answer: 7 });
  });

  it('can be told not to read the cache', () => {
    const loaded = requireWithCodeCache(file, { useCache: false });
    expect(writeCodeCache(loaded)).toBeGreaterThan(0);
    expect(requireWithCodeCache(file, { useCache: false }).cache).toBe('absent');
  });
});
