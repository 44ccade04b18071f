import { readFile } from 'node:fs/promises';
import path from 'node:path';

let source: Promise<string> | undefined;

/**
 * Chart.js's browser build (`chart.js/dist/chart.umd.js`), read once from the installed package. The
 * bundle must leave `chart.js` external (as apps/api/build.mjs does), so the image installs it beside the bundle
 * and this resolves in the image, in dist/ and from source alike. Read on first use, not at start.
 */
export function chartJsSource(): Promise<string> {
  // The package exports only its module entries; the UMD file sits beside them in dist/.
  source ??= readFile(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'), 'utf8').catch((err: Error) => {
    source = undefined; // let the next request try again
    throw err;
  });
  return source;
}
