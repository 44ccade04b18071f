import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkServiceDir, SERVICE_NAME, ServiceDirError, serviceNameFor } from './service-dir';

describe('checkServiceDir', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'service-dir-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const dirWith = (name: string, files: string[]) => {
    const dir = path.join(root, name);
    mkdirSync(dir);
    for (const f of files) writeFileSync(path.join(dir, f), '');
    return dir;
  };

  it('returns the absolute path of a directory with main.js, bootstrap.js and lambda.js', () => {
    dirWith('built', ['main.js', 'bootstrap.js', 'lambda.js', 'entrypoint.sh']);
    expect(checkServiceDir('built', root)).toBe(path.join(root, 'built'));
  });

  it('names the files a directory lacks', () => {
    dirWith('half', ['main.js']);
    expect(() => checkServiceDir('half', root)).toThrow(new ServiceDirError('half: no bootstrap.js, lambda.js — a built service holds main.js, bootstrap.js, lambda.js (build it first; the contract is docs/your-service.md)'));
  });

  it('says when there is no such directory', () => {
    expect(() => checkServiceDir('nowhere', root)).toThrow('nowhere: no such directory');
  });

  it('says when the path is a file', () => {
    writeFileSync(path.join(root, 'file'), '');
    expect(() => checkServiceDir('file', root)).toThrow('file: not a directory');
  });
});

describe('serviceNameFor', () => {
  it.each([
    ['the basename of a directory', '/x/orders', 'orders'],
    ["the parent's name for a build output", '/x/my-service/dist', 'my-service'],
    ['lower case, other characters as -', '/x/My_Service.v2', 'my-service-v2'],
    ['starting with a letter', '/x/2fast', 'fast'],
    ['not ending in -tier', '/x/web-tier', 'web'],
    ['at most 40 characters', `/x/${'a'.repeat(50)}`, 'a'.repeat(40)],
    ['a name when nothing is left', '/x/123', 'service'],
  ])('takes %s', (_, dir, name) => {
    expect(serviceNameFor(dir)).toBe(name);
    expect(SERVICE_NAME.test(name)).toBe(true);
  });
});
