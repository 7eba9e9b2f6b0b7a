import { describe, expect, it } from 'vitest';

import { Dag } from './Dag.js';

function graph(...ids: string[]): Dag<string, number> {
  const dag = new Dag<string, number>();
  for (const id of ids) dag.addVertex(id, id);
  return dag;
}

describe('Dag', () => {
  it.each([
    { name: 'self loop', edges: [] as [string, string][], add: ['a', 'a'], ok: false },
    { name: 'simple edge', edges: [], add: ['a', 'b'], ok: true },
    { name: 'duplicate edge', edges: [['a', 'b']], add: ['a', 'b'], ok: false },
    { name: 'two-cycle', edges: [['a', 'b']], add: ['b', 'a'], ok: false },
    { name: 'long cycle', edges: [['a', 'b'], ['b', 'c'], ['c', 'd']], add: ['d', 'a'], ok: false },
    { name: 'diamond is fine', edges: [['a', 'b'], ['a', 'c'], ['b', 'd']], add: ['c', 'd'], ok: true },
    { name: 'missing vertex', edges: [], add: ['a', 'zz'], ok: false },
  ] as const)('$name', ({ edges, add, ok }) => {
    const dag = graph('a', 'b', 'c', 'd');
    for (const [from, to] of edges) dag.addEdge(from, to, 1);
    expect(dag.canAddEdge(add[0], add[1])).toBe(ok);
    if (ok) {
      dag.addEdge(add[0], add[1], 2);
      expect(dag.childIds(add[0])).toContain(add[1]);
    } else {
      expect(() => dag.addEdge(add[0], add[1], 2)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_FAILED_PRECONDITION' }));
    }
  });

  it('deletes in-edges, out-edges and vertices with their payloads', () => {
    const dag = graph('a', 'b', 'c');
    dag.addEdge('a', 'b', 1);
    dag.addEdge('b', 'c', 2);
    expect(dag.deleteInEdges('b')).toEqual([{ from: 'a', to: 'b', data: 1 }]);
    expect(dag.outDegree('a')).toBe(0);
    expect(dag.deleteVertex('b')).toEqual([{ from: 'b', to: 'c', data: 2 }]);
    expect(dag.inDegree('c')).toBe(0);
    expect(dag.has('b')).toBe(false);
    expect(() => dag.addVertex('a', 'again')).toThrow(/already exists/);
  });

  it('samples distinct random vertices', () => {
    const dag = graph(...Array.from({ length: 50 }, (_, i) => `v${i}`));
    const sample = dag.random(15);
    expect(sample).toHaveLength(15);
    expect(new Set(sample).size).toBe(15);
    expect(dag.random(100)).toHaveLength(50);
  });
});
