import { createHash } from 'node:crypto';

/**
 * A consistent hash ring: each member owns `replicas` points on a 32-bit ring; a key belongs to the first
 * point clockwise from its hash. Adding or removing a member only moves the keys that member owned.
 */
export class HashRing<T extends string> {
  private points: Array<{ hash: number; member: T }> = [];

  constructor(
    members: readonly T[],
    private readonly replicas = 100,
  ) {
    for (const member of members) this.add(member);
  }

  add(member: T): void {
    for (let i = 0; i < this.replicas; i++) this.points.push({ hash: hash32(`${member}#${i}`), member });
    this.points.sort((a, b) => a.hash - b.hash);
  }

  /** Members in ring order starting at the owner of `key`, each once (the owner first, then fallbacks). */
  lookup(key: string): T[] {
    if (this.points.length === 0) return [];
    const target = hash32(key);
    let low = 0;
    let high = this.points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.points[mid]!.hash < target) low = mid + 1;
      else high = mid;
    }
    const ordered: T[] = [];
    for (let i = 0; i < this.points.length && ordered.length < this.size; i++) {
      const member = this.points[(low + i) % this.points.length]!.member;
      if (!ordered.includes(member)) ordered.push(member);
    }
    return ordered;
  }

  get size(): number {
    return new Set(this.points.map((point) => point.member)).size;
  }
}

function hash32(value: string): number {
  return createHash('sha256').update(value).digest().readUInt32BE(0);
}
