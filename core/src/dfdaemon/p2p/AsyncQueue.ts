/** An unbounded async queue: producers push, one consumer iterates. */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiting: ((item: T) => void) | undefined;

  push(item: T): void {
    const waiter = this.waiting;
    if (waiter) {
      this.waiting = undefined;
      waiter(item);
    } else {
      this.items.push(item);
    }
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) yield await this.next();
  }
}
