import { createError, ErrorCodes } from '../../common/errors.js';
import { MAX_TASKS } from '../constants.js';
import { Task, type TaskInit } from './Task.js';

/** Tasks by id (Dragonfly's `TaskManager`). */
export class TaskManager {
  readonly #tasks = new Map<string, Task>();

  get size(): number {
    return this.#tasks.size;
  }

  get(id: string): Task | undefined {
    return this.#tasks.get(id);
  }

  all(): Task[] {
    return [...this.#tasks.values()];
  }

  /** The task `init.id`, created Pending if new. Throws `D7Y_ERR_RESOURCE_EXHAUSTED` when the table is full. */
  loadOrCreate(init: TaskInit, now = Date.now()): Task {
    const known = this.#tasks.get(init.id);
    if (known) return known;
    if (this.#tasks.size >= MAX_TASKS) throw createError(ErrorCodes.RESOURCE_EXHAUSTED, `task table is full (${MAX_TASKS} tasks)`);
    const task = new Task(init, now);
    this.#tasks.set(task.id, task);
    return task;
  }

  delete(id: string): void {
    this.#tasks.delete(id);
  }
}
