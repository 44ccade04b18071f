/**
 * The reconciler's ports against the local cloud's control API: the same interfaces as the AWS
 * adapters, so reconcileOnce and the fleet tick run unchanged. The control API is on 127.0.0.1, so a
 * fleet read is one call per stack, record name or service, all at once, rather than a paged listing.
 */
import {
  recordKey,
  type DnsPort,
  type MetricsPort,
  type MetricsRequest,
  type MetricsTarget,
  type Policy,
  type ProbePort,
  type RecordChange,
  type ServiceMetrics,
  type ServiceRecords,
  type StackDescription,
  type StackPort,
} from '@lambdaflex/state';

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
  const describe = async (name: string) => {
    const r = await call<StackDescription>(controlUrl, 'GET', `/stacks/${enc(name)}`);
    return r.status === 404 ? undefined : r.data;
  };
  const readRecords = async (recordName: string) => (await call<ServiceRecords>(controlUrl, 'GET', `/records/${enc(recordName)}`)).data;
  const readMetrics = async (target: MetricsTarget, policy: Policy, service?: string) =>
    (await call<ServiceMetrics>(controlUrl, 'POST', '/metrics', { service, apiId: target.apiId, policy, hasAlb: !!target.loadBalancer })).data;
  return {
    stacks: {
      describe,
      describeMany: async (names: readonly string[]) => {
        const found = await Promise.all(names.map(async (name) => [name, await describe(name)] as const));
        return new Map(found.filter((f): f is readonly [string, StackDescription] => f[1] !== undefined));
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
      read: async (_zone: string, recordName: string) => readRecords(recordName),
      readMany: async (targets) => {
        const names = [...new Set(targets.map((t) => recordKey(t.recordName)))];
        return new Map(await Promise.all(names.map(async (name) => [name, await readRecords(name)] as const)));
      },
      change: async (_zone: string, recordName: string, changes: RecordChange[]) =>
        (await call<{ id: string }>(controlUrl, 'POST', '/changes', { recordName, changes })).data.id,
      inSync: async (id: string) => (await call<{ inSync: boolean }>(controlUrl, 'GET', `/changes${id}`)).data.inSync,
    },
    metrics: {
      read: async (target, policy) => readMetrics(target, policy),
      // Never throws, as the port says: a service whose figures could not be read is a gap.
      readMany: async (requests: readonly MetricsRequest[]) => {
        const read = await Promise.all(requests.map((r) => readMetrics(r.target, r.policy, r.service).then((m) => [r.service, m] as const, () => undefined)));
        return new Map(read.filter((r) => r !== undefined));
      },
    },
    probe: {
      probe: async (target, count: number) =>
        (await call<{ ok: number; failed: number }>(controlUrl, 'POST', '/probe', { count, host: target.host })).data,
    },
  };
}
