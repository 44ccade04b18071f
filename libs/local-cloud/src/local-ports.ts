/**
 * The reconciler's ports against the local cloud's control API: the same interfaces as the AWS
 * adapters, so reconcileOnce runs unchanged.
 */
import type { DnsPort, MetricsPort, ProbePort, RecordChange, ServiceMetrics, ServiceRecords, StackDescription, StackPort } from '@lambdaflex/state';

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; data: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await res.json()) as T;
  if (res.status >= 400 && res.status !== 404) {
    const e = data as { code?: string; message?: string };
    throw Object.assign(new Error(`${method} ${path}: ${e.code}: ${e.message}`), { name: e.code ?? 'LocalCloudError' });
  }
  return { status: res.status, data };
}

export function createLocalPorts(controlUrl: string): { stacks: StackPort; dns: DnsPort; metrics: MetricsPort; probe: ProbePort } {
  const enc = encodeURIComponent;
  return {
    stacks: {
      describe: async (name: string) => {
        const r = await call<StackDescription>(controlUrl, 'GET', `/stacks/${enc(name)}`);
        return r.status === 404 ? undefined : r.data;
      },
      create: async (name: string, parameters: Record<string, string>) => {
        await call(controlUrl, 'POST', `/stacks/${enc(name)}`, { parameters });
      },
      update: async (name: string, parameters: Record<string, string>) =>
        (await call<{ outcome: 'updating' | 'no-change' }>(controlUrl, 'PUT', `/stacks/${enc(name)}`, { parameters })).data.outcome,
      delete: async (name: string) => {
        await call(controlUrl, 'DELETE', `/stacks/${enc(name)}`);
      },
    },
    dns: {
      read: async () => (await call<ServiceRecords>(controlUrl, 'GET', '/records')).data,
      change: async (_zone: string, _name: string, changes: RecordChange[]) =>
        (await call<{ id: string }>(controlUrl, 'POST', '/changes', { changes })).data.id,
      inSync: async (id: string) => (await call<{ inSync: boolean }>(controlUrl, 'GET', `/changes${id.replace(/^\/change/, '/change')}`)).data.inSync,
    },
    metrics: {
      read: async (target, policy) => (await call<ServiceMetrics>(controlUrl, 'POST', '/metrics', { policy, hasAlb: !!target.loadBalancer })).data,
    },
    probe: {
      probe: async (_target, count: number) =>
        (await call<{ ok: number; failed: number }>(controlUrl, 'POST', '/probe', { count })).data,
    },
  };
}
