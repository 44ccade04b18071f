import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Edge } from './edge';
import type { LambdaPool } from './lambda-pool';
import type { EdgeMetrics, LocalDns } from './local-aws';

/** The edge with both doors stubbed: weights fixed, a pool that answers `lambdaHeaders`, a target that answers `taskHeaders`. */
async function edgeWith(door: 'api' | 'alb', lambdaHeaders: Record<string, string>, taskHeaders: Record<string, string>) {
  const task = http.createServer((_req, res) => res.writeHead(200, taskHeaders).end('{}'));
  await new Promise<void>((resolve) => task.listen(0, '127.0.0.1', resolve));
  const albTarget = `127.0.0.1:${(task.address() as AddressInfo).port}`;
  const dns = { effective: () => (door === 'api' ? { api: 100, alb: 0 } : { api: 0, alb: 100, albTarget }) } as unknown as LocalDns;
  const answer = { statusCode: 200, headers: lambdaHeaders, body: '{}' };
  const pool = { invoke: async () => ({ throttled: false, outcome: { requestId: 'r', kind: 'response', body: JSON.stringify(answer) }, coldStart: false, ms: 1 }) } as unknown as LambdaPool;
  const edge = new Edge(dns, pool, { record: () => undefined } as unknown as EdgeMetrics);
  const url = await edge.start();
  return {
    tier: async () => (await fetch(`${url}/healthz`)).headers.get('x-lambdaflex-tier'),
    stop: async () => {
      await edge.stop();
      task.closeAllConnections();
      task.close();
    },
  };
}

describe('the edge names the tier of an answer that does not', () => {
  it.each([
    ['lambda, for an answer through API Gateway', 'api', {}, {}, 'lambda'],
    ['fargate, for an answer through the ALB', 'alb', {}, {}, 'fargate'],
    ['lambda, for an answer a task handed to Lambda', 'alb', {}, { 'x-lambdaflex-spilled': '1' }, 'lambda'],
    ["the service's own, when it names one (Lambda)", 'api', { 'X-LambdaFlex-Tier': 'local' }, {}, 'local'],
    ["the service's own, when it names one (ALB)", 'alb', {}, { 'x-lambdaflex-tier': 'local' }, 'local'],
  ] as const)('%s', async (_, door, lambdaHeaders, taskHeaders, expected) => {
    // Arrange
    const edge = await edgeWith(door, lambdaHeaders, taskHeaders);
    // Act
    const tier = await edge.tier().finally(() => edge.stop());
    // Assert
    expect(tier).toBe(expected);
  });
});
