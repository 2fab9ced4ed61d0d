const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line spinner with the elapsed seconds, drawn only when stdout is a terminal so that piped
 * or captured output stays clean.
 */
export async function withProgress<T>(label: string, work: () => Promise<T>, out = process.stdout): Promise<T> {
  if (!out.isTTY) return work();
  const started = Date.now();
  let frame = 0;
  const draw = (): void => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    out.write(`\r\x1b[K${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds}s`);
  };
  draw();
  const timer = setInterval(draw, 100);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    out.write('\r\x1b[K');
  }
}
