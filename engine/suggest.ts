// "Did you mean …?" for misspelt keys, step ids, param names and step types.

/** Edit distance where a swap of two neighbouring letters counts as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word`, when it is close enough to be a likely typo:
 * one edit for words up to 4 letters, two up to 8, three beyond. Case differences are free.
 * Ties go to the earlier candidate.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 4 ? 1 : w.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance && d <= limit && d < Math.max(w.length, c.length)) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `a, b, c`, or the first `max` names and how many more. */
export function nameList(names: readonly string[], max = 10): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** `did you mean 'x'?`, or `known: a, b, c` when nothing is close (or undefined when there are no candidates). */
export function suggestionHint(word: string, candidates: readonly string[], what = 'known'): string | undefined {
  const close = didYouMean(word, candidates);
  if (close !== undefined) return `did you mean '${close}'?`;
  return candidates.length ? `${what}: ${nameList(candidates)}` : undefined;
}
