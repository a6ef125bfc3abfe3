/**
 * Chooses range boundaries among sorted samples at evenly spaced ranks.
 *
 * Works on positions only: `texts[i]` is the canonical text of sample i, and the samples are already in
 * the source's key order (its collation). Keys are never compared here except for equality of their
 * text, so the source's order is kept whatever it is.
 *
 * Returns the sample positions where ranges 2…k start, strictly increasing, each the first of its run
 * of equal samples (so a range's estimate counts every sample equal to its `lo`). At most `want - 1`
 * positions; fewer when the samples hold too few distinct values or one value fills several ranks.
 */
export function quantileStarts(texts: readonly string[], want: number): number[] {
  const m = texts.length;
  if (want <= 1 || m === 0) return [];
  // A range shorter than half the ideal is merged into its neighbour: skew or ties would otherwise leave
  // slivers next to a hot value (see the ranks that fall just past its run).
  const minGap = m / want / 2;
  const { first, past } = runs(texts);
  const starts: number[] = [];
  const used = new Set<string>();
  let prev = 0;
  for (let i = 1; i < want; i++) {
    const rank = Math.floor((i * m) / want);
    let b = first[rank]!;
    // The rank sits in the run the previous range already starts with (a hot value): the next range can
    // only begin at the next distinct value.
    if (b <= prev) b = past[rank]!;
    if (b >= m) break;
    if (b - prev < minGap) continue;
    // Equal text at non-adjacent positions (a collation whose ties are not grouped) would repeat a
    // boundary; dropping one only merges two ranges, which keeps them covering and disjoint.
    const text = texts[b]!;
    if (used.has(text)) continue;
    used.add(text);
    starts.push(b);
    prev = b;
  }
  if (starts.length > 0 && m - prev < minGap) starts.pop();
  return starts;
}

/**
 * For every position, the first position of its run of equal samples and the position just past it:
 * computed once, so that ranks falling inside one huge run cost nothing extra.
 */
function runs(texts: readonly string[]): { first: Uint32Array; past: Uint32Array } {
  const m = texts.length;
  const first = new Uint32Array(m);
  const past = new Uint32Array(m);
  for (let i = 1; i < m; i++) first[i] = texts[i] === texts[i - 1] ? first[i - 1]! : i;
  past[m - 1] = m;
  for (let i = m - 2; i >= 0; i--) past[i] = texts[i] === texts[i + 1] ? past[i + 1]! : i + 1;
  return { first, past };
}

/** The number of distinct texts. */
export function distinctCount(texts: readonly string[]): number {
  return new Set(texts).size;
}
