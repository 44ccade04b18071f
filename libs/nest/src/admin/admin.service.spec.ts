import type { BadRequestException } from '@nestjs/common';
import type { StateStore } from '@lambdaflex/state';
import { CursorSeal, cursorKey } from '../common/cursor';
import { loadLambdaFlexConfig } from '../config/config';
import { AdminService } from './admin.service';

const config = loadLambdaFlexConfig({ SERVICE_NAME: 'shop' }, 'server');

/** A store that records what reaches it. */
function fakeStore() {
  const calls: string[] = [];
  const store = {
    listHistory: async (_service: string, options: { cursor?: string }) => {
      calls.push(`listHistory ${options.cursor ?? ''}`);
      return { items: [], nextCursor: 'store-cursor' };
    },
    readPolicy: async () => {
      calls.push('readPolicy');
      return undefined;
    },
    writePolicy: async () => {
      calls.push('writePolicy');
      return 1;
    },
  };
  return { calls, store: store as unknown as StateStore };
}

const rules = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (e) {
    return ((e as BadRequestException).getResponse() as { errors: { field: string; rule: string }[] }).errors.map((x) => `${x.field}:${x.rule}`);
  }
  return [];
};

describe('AdminService', () => {
  it('hands the store only cursors it sealed, and seals the store\'s own on the way out', async () => {
    // Arrange
    const { calls, store } = fakeStore();
    const admin = new AdminService(store, config);
    const seal = new CursorSeal(cursorKey(undefined, [config.stateTable, 'shop']), 'history:shop');
    // Act
    const page = await admin.history(5);
    await admin.history(5, page.nextCursor);
    const refused = [
      await rules(admin.history(5, 'store-cursor')),
      // Sealed with the right key, but longer than any cursor the store issues: its sort key could pass 1,024 bytes.
      await rules(admin.history(5, seal.seal('x'.repeat(600)))),
      await rules(admin.history(5, seal.seal({ pk: 'shop', sk: 'HIST#' }))),
    ];
    // Assert
    expect(page.nextCursor).not.toBe('store-cursor');
    expect(calls).toEqual(['listHistory ', 'listHistory store-cursor']);
    expect(refused).toEqual(Array(3).fill(['cursor:isCursor']));
  });

  it('refuses a policy that does not name its service, and writes nothing', async () => {
    const { calls, store } = fakeStore();
    const admin = new AdminService(store, config);
    expect(await rules(admin.putPolicy({}, { type: 'absent' }))).toEqual(['service:required']);
    expect(await rules(admin.putPolicy({ mode: { type: 'auto' } }, { type: 'any' }))).toEqual(['service:required']);
    expect(calls).toEqual([]);
    await admin.putPolicy({ service: 'shop' }, { type: 'absent' });
    expect(calls).toEqual(['readPolicy', 'writePolicy']);
  });
});
