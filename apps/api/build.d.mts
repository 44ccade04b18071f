// Types of build.mjs, for the bench (TypeScript) that writes code caches the way the build does.
export function buildApi(options?: { outdir?: string; lean?: boolean }): Promise<{ outdir: string; bytes: Record<string, number> }>;
export function writeCodeCache(outdir: string, node?: string): number;
