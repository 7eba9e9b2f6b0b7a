import { createError, ErrorCodes } from '../../common/errors.js';

interface Vertex<V, E> {
  readonly value: V;
  /** Parent id -> edge payload. */
  readonly parents: Map<string, E>;
  /** Child id -> edge payload. */
  readonly children: Map<string, E>;
}

/** A removed edge and its payload. */
export interface RemovedEdge<E> {
  readonly from: string;
  readonly to: string;
  readonly data: E;
}

/**
 * A directed acyclic graph keyed by string ids (Dragonfly's `pkg/graph/dag`), with a payload on every edge.
 * Edges go parent -> child. Adding an edge that would close a cycle (including a self-loop) is refused.
 */
export class Dag<V, E> {
  readonly #vertices = new Map<string, Vertex<V, E>>();

  /** Number of vertices. */
  get size(): number {
    return this.#vertices.size;
  }

  /** Adds a vertex; throws `D7Y_ERR_ALREADY_EXISTS` when the id is taken. */
  addVertex(id: string, value: V): void {
    if (this.#vertices.has(id)) throw createError(ErrorCodes.ALREADY_EXISTS, `vertex ${id} already exists`);
    this.#vertices.set(id, { value, parents: new Map(), children: new Map() });
  }

  /** The value of vertex `id`. */
  get(id: string): V | undefined {
    return this.#vertices.get(id)?.value;
  }

  has(id: string): boolean {
    return this.#vertices.has(id);
  }

  /** Every vertex value, in insertion order. */
  values(): V[] {
    return [...this.#vertices.values()].map((vertex) => vertex.value);
  }

  /** Up to `n` distinct vertex values chosen uniformly at random. */
  random(n: number): V[] {
    const all = [...this.#vertices.values()];
    const count = Math.min(n, all.length);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (all.length - i));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    return all.slice(0, count).map((vertex) => vertex.value);
  }

  /** Removes a vertex with all its edges; returns the removed edges (empty if the vertex did not exist). */
  deleteVertex(id: string): RemovedEdge<E>[] {
    if (!this.#vertices.has(id)) return [];
    const removed = [...this.deleteInEdges(id), ...this.deleteOutEdges(id)];
    this.#vertices.delete(id);
    return removed;
  }

  /** True if the edge `from -> to` could be added: both exist, it is new, and it closes no cycle. */
  canAddEdge(from: string, to: string): boolean {
    const parent = this.#vertices.get(from);
    const child = this.#vertices.get(to);
    if (!parent || !child || from === to || parent.children.has(to)) return false;
    return !this.#reaches(to, from);
  }

  /** Adds the edge `from -> to`; throws `D7Y_ERR_FAILED_PRECONDITION` if `canAddEdge` is false. */
  addEdge(from: string, to: string, data: E): void {
    if (!this.canAddEdge(from, to)) {
      throw createError(ErrorCodes.FAILED_PRECONDITION, `edge ${from} -> ${to} is missing a vertex, exists already or closes a cycle`);
    }
    this.#vertices.get(from)!.children.set(to, data);
    this.#vertices.get(to)!.parents.set(from, data);
  }

  /** Removes every edge into `id`; returns them. */
  deleteInEdges(id: string): RemovedEdge<E>[] {
    const vertex = this.#vertices.get(id);
    if (!vertex) return [];
    const removed: RemovedEdge<E>[] = [];
    for (const [from, data] of vertex.parents) {
      this.#vertices.get(from)?.children.delete(id);
      removed.push({ from, to: id, data });
    }
    vertex.parents.clear();
    return removed;
  }

  /** Removes every edge out of `id`; returns them. */
  deleteOutEdges(id: string): RemovedEdge<E>[] {
    const vertex = this.#vertices.get(id);
    if (!vertex) return [];
    const removed: RemovedEdge<E>[] = [];
    for (const [to, data] of vertex.children) {
      this.#vertices.get(to)?.parents.delete(id);
      removed.push({ from: id, to, data });
    }
    vertex.children.clear();
    return removed;
  }

  /** Ids of the parents of `id`. */
  parentIds(id: string): string[] {
    return [...(this.#vertices.get(id)?.parents.keys() ?? [])];
  }

  /** Ids of the children of `id`. */
  childIds(id: string): string[] {
    return [...(this.#vertices.get(id)?.children.keys() ?? [])];
  }

  inDegree(id: string): number {
    return this.#vertices.get(id)?.parents.size ?? 0;
  }

  outDegree(id: string): number {
    return this.#vertices.get(id)?.children.size ?? 0;
  }

  /** True if `target` is reachable from `start` along child edges (or is `start`). */
  #reaches(start: string, target: string): boolean {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === target) return true;
      for (const child of this.#vertices.get(id)?.children.keys() ?? []) {
        if (!seen.has(child)) {
          seen.add(child);
          stack.push(child);
        }
      }
    }
    return false;
  }
}
