/** Options for {@link waitFor}. */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

/**
 * Poll probe until it returns a value other than undefined/null/false; the last error or value is in the timeout message.
 * @example const hits = await waitFor(async () => (await count()) === 5 && count, { what: "5 documents indexed" });
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 250, what = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "";
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      lastProblem = `last value ${String(value)}`;
    } catch (error) {
      lastProblem = `last error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${lastProblem})`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
