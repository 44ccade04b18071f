import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { decide, defaultPolicy, type Observation, type ServiceStatus, type TransitionRecord } from '@lambdaflex/state';
import { startAdminApi, type RunningAdminApi } from '../support/api';

// Debian's Chromium: Playwright's own browser download does not work here. CI installs the package.
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.resolve(__dirname, '../../tmp/screenshots/admin-ui.png');
const MINUTE_MS = 60_000;

/** Waits until `check` holds, polling; fails with `what` when it does not within the time. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A day of history ending back on Lambda: up to Fargate on load, and down again. */
function aDayOfTransitions(now: number): TransitionRecord[] {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * MINUTE_MS).toISOString();
  return [
    { at: at(600), from: 'lambda', to: 'warming', reason: 'LoadAboveThreshold', message: 'load held above the up-threshold' },
    { at: at(590), from: 'warming', to: 'dual', reason: 'TierReady', message: 'the tier is ready' },
    { at: at(570), from: 'dual', to: 'dual', reason: 'StepPassed', message: 'the step held' },
    { at: at(550), from: 'dual', to: 'fargate', reason: 'Promoted', message: 'the ALB takes all traffic' },
    { at: at(180), from: 'fargate', to: 'draining', reason: 'LoadBelowThreshold', message: 'load stayed low' },
    { at: at(150), from: 'draining', to: 'lambda', reason: 'TierRemoved', message: 'the tier is gone' },
  ];
}

/** Request rates a reconciler would record: a busy morning that fades, one sample every ten minutes. */
function rates(now: number) {
  return Array.from({ length: 72 }, (_, i) => {
    const minutesAgo = (72 - i) * 10;
    const busy = minutesAgo > 180 && minutesAgo < 600;
    const totalRps = Math.round((busy ? 60 + 25 * Math.sin(i / 4) : 3 + 2 * Math.sin(i)) * 10) / 10;
    return { at: new Date(now - minutesAgo * MINUTE_MS).toISOString(), totalRps, albRps: busy ? totalRps : 0 };
  });
}

describe('the admin page, in headless Chromium', () => {
  let api: RunningAdminApi;
  let browser: Browser;

  beforeAll(async () => {
    // Never a silent skip: without the browser this suite fails and says what to install.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the page tests`);
    }
    api = await startAdminApi();
    const now = Date.now();
    const policy = defaultPolicy(api.service);
    const generation = await api.store.writePolicy(policy, undefined);
    const world: Observation = {
      policy,
      image: 'app:1',
      stack: { status: 'absent' },
      dns: { apiWeight: 100, albWeight: 0, albRecordExists: false, inSync: true },
      metrics: { totalRpsUpWindow: 2, totalRpsDownWindow: 4 },
    };
    const decision = decide(undefined, world, now);
    const transitions = aDayOfTransitions(now);
    for (const t of transitions) await api.store.appendHistory(api.service, t);
    const status: ServiceStatus & { requestRates: ReturnType<typeof rates> } = {
      service: api.service,
      phase: decision.phase,
      conditions: decision.conditions,
      observedGeneration: generation,
      lastTransition: transitions.at(-1),
      intent: decision.intent,
      snapshot: decision.snapshot,
      lastGoodPolicy: policy,
      updatedAt: new Date(now).toISOString(),
      requestRates: rates(now),
    };
    await api.store.writeStatus(status, undefined);
    // launch() gives every run a fresh, temporary user-data-dir, removed on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  /** A new page in its own context (its own sessionStorage), with every console error and page error kept. */
  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${api.url}/admin/ui`);
    return { page, errors };
  }

  async function useKey(page: Page, key: string) {
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Use key' }).click();
  }

  it('loads without a key, under its Content-Security-Policy, asking for a key and showing no data', async () => {
    // Act
    const { page, errors } = await openPage();
    // Assert
    await page.getByLabel('Admin key').waitFor();
    expect(await page.locator('#dashboard').isHidden()).toBe(true);
    expect(await page.locator('#message').textContent()).toMatch(/Enter an admin key/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows the current phase, and a click on "Pin Fargate" pins the stored policy', async () => {
    // Arrange
    const { page, errors } = await openPage();
    await useKey(page, api.keys.operate);
    await page.locator('#phase', { hasText: /^lambda$/ }).waitFor();
    expect(await page.getByLabel('Admin key').isHidden()).toBe(true);
    expect(await page.locator('#weight-api-label').textContent()).toBe('100%');
    expect(await page.locator('#conditions tr').count()).toBe(5);
    expect(await page.locator('#history tr').count()).toBe(6);
    expect(await page.locator('#timeline-note').textContent()).toBe('');
    // Act
    await page.getByRole('button', { name: 'Pin Fargate' }).click();
    // Assert
    await eventually('the stored policy is pinned to fargate', async () => {
      const stored = await api.store.readPolicy(api.service);
      return stored?.result.ok === true && stored.result.policy.mode.type === 'pinned' && stored.result.policy.mode.tier === 'fargate';
    });
    await page.locator('#message', { hasText: 'Pin Fargate: done' }).waitFor();
    expect(await page.locator('#mode').textContent()).toBe('pinned to fargate');
    expect(errors).toEqual([]);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`admin page screenshot: ${SCREENSHOT}`);
    await page.context().close();
  });

  it('tells a read-only key that it may not pin, and changes nothing', async () => {
    // Arrange
    const before = await api.store.readPolicy(api.service);
    const { page } = await openPage();
    await useKey(page, api.keys.read);
    await page.locator('#phase', { hasText: /^lambda$/ }).waitFor();
    // Act
    await page.getByRole('button', { name: 'Pin Lambda' }).click();
    // Assert
    await page.locator('#message', { hasText: 'may only read' }).waitFor();
    expect((await api.store.readPolicy(api.service))?.generation).toBe(before?.generation);
    await page.context().close();
  });

  it('asks for the key again when the one given is refused', async () => {
    const { page } = await openPage();
    await useKey(page, 'not-a-key');
    await page.locator('#message', { hasText: 'The key was refused' }).waitFor();
    expect(await page.getByLabel('Admin key').isVisible()).toBe(true);
    await page.context().close();
  });
});
