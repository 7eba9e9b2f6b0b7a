import { createHash } from 'node:crypto';

/**
 * A consistent hash ring over string members (`replicas` virtual points each, on a 32-bit ring). A key
 * belongs to the first point clockwise from its hash; adding or removing a member moves only its keys.
 */
export class HashRing {
  readonly #points: Array<{ hash: number; member: string }> = [];
  readonly #members: ReadonlySet<string>;

  constructor(members: readonly string[], replicas = 100) {
    this.#members = new Set(members);
    for (const member of this.#members) {
      for (let i = 0; i < replicas; i++) this.#points.push({ hash: hash32(`${member}#${i}`), member });
    }
    this.#points.sort((a, b) => a.hash - b.hash || (a.member < b.member ? -1 : 1));
  }

  /** The members in ring order starting from the owner of `key`, each once (owner first, then fallbacks). */
  lookup(key: string): string[] {
    if (this.#points.length === 0) return [];
    const target = hash32(key);
    let low = 0;
    let high = this.#points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.#points[mid]!.hash < target) low = mid + 1;
      else high = mid;
    }
    const ordered: string[] = [];
    for (let i = 0; i < this.#points.length && ordered.length < this.#members.size; i++) {
      const member = this.#points[(low + i) % this.#points.length]!.member;
      if (!ordered.includes(member)) ordered.push(member);
    }
    return ordered;
  }
}

function hash32(value: string): number {
  return createHash('sha256').update(value).digest().readUInt32BE(0);
}
