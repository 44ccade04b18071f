/**
 * A progress bar on a terminal, for long replays; nothing at all when the stream is not a TTY (a pipe, a
 * CI log), so logs stay clean. Redraws in place with a carriage return and clears itself when done.
 */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

export function progressBar(stream: ProgressStream, label: string): (done: number, total: number) => void {
  if (!stream.isTTY) return () => undefined;
  const started = Date.now();
  return (done, total) => {
    const share = total === 0 ? 1 : done / total;
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const filled = Math.round(share * width);
    const elapsed = (Date.now() - started) / 1000;
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    stream.write(`\r${label} ${bar} ${(share * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} min ${elapsed.toFixed(1)} s`);
    if (done >= total) stream.write('\r\x1b[2K');
  };
}
