/** Exponential backoff with full jitter, capped: 429s from several callers do not retry in lockstep. */
export function backoffDelay(
  attempt: number,
  baseMs = 250,
  capMs = 8000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
