/**
 * The CPU/memory pairs a Fargate Linux task can have (CPU units, MiB), as AWS's task-size table
 * lists them. A policy must name one of these: anything else fails at stack creation, minutes later.
 */
const RANGES: readonly { cpu: number; from: number; to: number; step: number }[] = [
  { cpu: 256, from: 512, to: 2048, step: 512 }, // 512, 1024, 2048 (1536 is not offered: see below)
  { cpu: 512, from: 1024, to: 4096, step: 1024 },
  { cpu: 1024, from: 2048, to: 8192, step: 1024 },
  { cpu: 2048, from: 4096, to: 16384, step: 1024 },
  { cpu: 4096, from: 8192, to: 30720, step: 1024 },
  { cpu: 8192, from: 16384, to: 61440, step: 4096 },
  { cpu: 16384, from: 32768, to: 122880, step: 8192 },
];

/** The CPU values Fargate offers. */
export const FARGATE_CPUS = RANGES.map((r) => r.cpu);

/** Whether Fargate offers a task of this CPU and memory. */
export function isFargateSize(cpu: number, memoryMiB: number): boolean {
  if (cpu === 256) return memoryMiB === 512 || memoryMiB === 1024 || memoryMiB === 2048;
  const range = RANGES.find((r) => r.cpu === cpu);
  return !!range && memoryMiB >= range.from && memoryMiB <= range.to && (memoryMiB - range.from) % range.step === 0;
}

/** The memory sizes Fargate offers for a CPU value, for error messages. */
export function fargateMemoriesFor(cpu: number): string {
  if (cpu === 256) return '512, 1024 or 2048';
  const range = RANGES.find((r) => r.cpu === cpu);
  return range ? `${range.from} to ${range.to} in steps of ${range.step}` : 'none';
}
