// Progress on stderr: one line rewritten in place on a terminal, plain lines otherwise.
const tty = process.stderr.isTTY;
let lastPlainAt = 0;

/** A passing status; on a non-terminal at most one line every 5 s. */
export function status(text: string): void {
  if (tty) {
    process.stderr.write(`\r\x1b[2K${text}`);
  } else if (performance.now() - lastPlainAt > 5000) {
    lastPlainAt = performance.now();
    process.stderr.write(`  ${text}\n`);
  }
}

/** A finished step, always kept. */
export function step(text: string): void {
  process.stderr.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  lastPlainAt = 0;
}
