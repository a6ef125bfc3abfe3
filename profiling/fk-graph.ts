/**
 * The foreign-key graph: which tables must load before which, found by a topological sort of its strongly
 * connected components (Tarjan), so cycles are reported instead of breaking the order.
 *
 *   edges child → parent ─► components (a cycle is one component) ─► levels: parents' level + 1 ─► load order
 */

export interface GraphEdge {
  from: string;
  to: string;
}

export interface FkOrder {
  /** Tables, parents before children; a cycle's tables together, alphabetically. */
  loadOrder: string[];
  /** Level of each table: 0 without parents, else 1 + its deepest parent's (cycles share a level). */
  levels: Map<string, number>;
  /** Components of 2+ tables, each alphabetically, sorted by first table. */
  cycles: string[][];
  /** Tables with an edge to themselves. */
  selfReferences: string[];
  /** Component id of each table: tables in one cycle share it. */
  component: Map<string, number>;
}

/** Orders `tables` by the `edges` among them (edges to tables not listed are ignored). */
export function orderByForeignKeys(tables: string[], edges: GraphEdge[]): FkOrder {
  const names = [...new Set(tables)].sort();
  const known = new Set(names);
  const parents = new Map<string, string[]>(names.map((n) => [n, []]));
  const selfRefs = new Set<string>();
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    if (e.from === e.to) selfRefs.add(e.from);
    else if (!parents.get(e.from)!.includes(e.to)) parents.get(e.from)!.push(e.to);
  }
  for (const p of parents.values()) p.sort();

  // Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const component = new Map<string, number>();
  const components: string[][] = [];
  let next = 0;
  for (const root of names) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const ps = parents.get(v)!;
      if (i < ps.length) {
        top[1]++;
        const w = ps[i]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1]![0];
        low.set(u, Math.min(low.get(u)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const members: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.set(w, components.length);
          members.push(w);
        } while (w !== v);
        components.push(members.sort());
      }
    }
  }

  // Tarjan emits a component only after every component it points to (its parents): that is load order.
  const levels = new Map<string, number>();
  for (const members of components) {
    let level = 0;
    for (const m of members) {
      for (const p of parents.get(m)!) {
        if (component.get(p) !== component.get(m)) level = Math.max(level, levels.get(p)! + 1);
      }
    }
    for (const m of members) levels.set(m, level);
  }
  const loadOrder = components
    .map((members, i) => ({ members, i, level: levels.get(members[0]!)! }))
    .sort((a, b) => a.level - b.level || a.members[0]!.localeCompare(b.members[0]!))
    .flatMap((c) => c.members);
  return {
    loadOrder,
    levels,
    cycles: components.filter((c) => c.length > 1).sort((a, b) => a[0]!.localeCompare(b[0]!)),
    selfReferences: [...selfRefs].sort(),
    component,
  };
}
