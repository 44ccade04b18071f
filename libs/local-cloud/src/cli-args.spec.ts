import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseLoadArgs, parseServeArgs, UsageError } from './cli-args';
import { BURST_PROFILE, CYCLE_PROFILE } from './load';
import { ServiceDirError } from './service-dir';

describe('parseServeArgs (npm start)', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'serve-args-'));
  beforeAll(() => {
    mkdirSync(path.join(root, 'my-service/dist'), { recursive: true });
    for (const f of ['main.js', 'bootstrap.js', 'lambda.js']) writeFileSync(path.join(root, 'my-service/dist', f), '');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('runs the pet store without --service', () => {
    expect(parseServeArgs([], root)).toEqual({});
  });

  it('runs a built service, named after its directory', () => {
    expect(parseServeArgs(['--service', 'my-service/dist'], root)).toEqual({ appDir: path.join(root, 'my-service/dist'), service: 'my-service' });
  });

  it('takes the --service=<dir> form nx passes on', () => {
    expect(parseServeArgs(['--service=my-service/dist', '--name=orders'], root)).toEqual({ appDir: path.join(root, 'my-service/dist'), service: 'orders' });
  });

  it.each([
    ['a name that breaks the service-name rule', ['--service', 'my-service/dist', '--name', 'Orders'], UsageError],
    ['--name without --service', ['--name', 'orders'], UsageError],
    ['an unknown option', ['--servce', 'my-service/dist'], UsageError],
    ['a directory that is not a built service', ['--service', 'my-service'], ServiceDirError],
  ])('refuses %s', (_, args, error) => {
    expect(() => parseServeArgs(args, root)).toThrow(error);
  });
});

describe('parseLoadArgs (npm run load)', () => {
  it("drives the cycle with the pet store's requests by default", () => {
    expect(parseLoadArgs([])).toEqual({ profileName: 'cycle', profile: CYCLE_PROFILE, mix: 'mixed' });
  });

  it("keeps a profile's own stage mixes by default", () => {
    expect(parseLoadArgs(['--profile', 'burst']).profile).toBe(BURST_PROFILE);
  });

  it('sends GETs of the paths given, in every stage', () => {
    const { mix, profile } = parseLoadArgs(['--profile', 'burst', '--path', '/healthz', '--path', '/hello?name=load']);
    expect(mix).toEqual({ get: ['/healthz', '/hello?name=load'] });
    expect(profile.map((s) => s.mix)).toEqual(BURST_PROFILE.map(() => mix));
  });

  it('sends only /healthz with --mix health, in every stage', () => {
    const { mix, profile } = parseLoadArgs(['--mix', 'health']);
    expect(mix).toBe('health');
    expect(new Set(profile.map((s) => s.mix))).toEqual(new Set(['health']));
  });

  it.each([
    ['an unknown profile', ['--profile', 'spike']],
    ['an unknown mix', ['--mix', 'writes']],
    ['--mix with --path', ['--mix', 'health', '--path', '/healthz']],
    ['a path without its leading /', ['--path', 'healthz']],
  ])('refuses %s', (_, args) => {
    expect(() => parseLoadArgs(args)).toThrow(UsageError);
  });
});
