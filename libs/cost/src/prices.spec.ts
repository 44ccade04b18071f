import { parsePriceBook, pricedRegions, pricesFor, type Figure, type TieredFigure } from './prices';
import data from './prices/aws-prices.json';

function figures(node: unknown, path: string[] = []): [string, Figure | TieredFigure][] {
  if (typeof node !== 'object' || node === null) return [];
  if ('value' in node || 'tiers' in node) return [[path.join('.'), node as Figure]];
  return Object.entries(node).flatMap(([k, v]) => figures(v, [...path, k]));
}

describe('the price data', () => {
  it('loads and validates the bundled file, region by region', () => {
    expect(pricedRegions()).toContain('us-east-1');
    expect(pricesFor('us-east-1').lambda.requests.value).toBe(0.2);
  });

  it('gives every figure a unit, a source and a date', () => {
    const all = figures(pricesFor('us-east-1'));
    // Every figure of the file, none dropped by the schema.
    expect(all.map(([path]) => path)).toEqual(figures((data as Record<string, unknown>)['us-east-1']).map(([path]) => path));
    for (const [, f] of all) expect(f).toMatchObject({ unit: expect.any(String), source: expect.any(String), date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('refuses a figure without its source, naming the figure', () => {
    const broken = structuredClone(data);
    delete (broken['us-east-1'].alb.hour as { source?: string }).source;
    expect(() => parsePriceBook(broken)).toThrow(/us-east-1\.alb\.hour\.source/);
  });

  it('refuses an estimate outside its own range', () => {
    const broken = structuredClone(data);
    broken['us-east-1'].fargate.taskStartSeconds.value = 5;
    expect(() => parsePriceBook(broken)).toThrow(/taskStartSeconds\.value: value must lie within its range/);
  });

  it('says which regions it knows when asked for another', () => {
    expect(() => pricesFor('mars-north-1')).toThrow('no prices for region mars-north-1 (known: us-east-1)');
  });
});
