/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short strings. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** `partitionRows`, `partition-rows` and `PARTITION_ROWS` all name `partition_rows`. */
function normalise(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The known word a misspelt one most likely meant, or undefined when none is close enough
 * (at most a third of the word's letters wrong, and at least 1 allowed).
 */
export function closestKey(word: string, known: readonly string[]): string | undefined {
  const w = normalise(word);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const distance = editDistance(w, normalise(k));
    if (distance < bestDistance) {
      best = k;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(w.length / 3));
  return bestDistance <= allowed ? best : undefined;
}
