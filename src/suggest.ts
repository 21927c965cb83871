/** "Did you mean" for unknown keys, subcommands and capability names. */

/** Edit distance (insertions, deletions, substitutions), one row at a time. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** `memoryLimit`, `Memory-Limit` and `memory_limit` all become `memory_limit`. */
function normalise(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[-\s.]/g, '_');
}

/**
 * The candidate closest to `name`, when it is close enough to be a likely typo
 * (up to 2 edits, 3 for long names), or spelled in another case style.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = normalise(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(wanted, normalise(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = wanted.length > 10 ? 3 : 2;
  return bestDistance <= Math.min(limit, Math.max(1, Math.floor(wanted.length / 2))) ? best : undefined;
}
