import { AsyncLocalStorage } from 'node:async_hooks';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

/** State of one transaction, shared by its session and the async flow of its `work`. */
export interface TransactionState {
  /** True from BEGIN until COMMIT/ROLLBACK has been issued. */
  active: boolean;
}

/**
 * Knows whether the current async flow runs inside a transaction's `work`, so that misuse fails loudly the same
 * way on every dialect: a nested `transaction()` or a statement sent through the driver instead of the `tx`
 * session (which would run outside the transaction, or deadlock on SQLite's single connection) throws
 * `D7Y_ERR_FAILED_PRECONDITION`. Identical copies live in each SQL database plugin.
 */
export class TransactionScope {
  readonly #storage = new AsyncLocalStorage<TransactionState>();

  /** Throws `D7Y_ERR_FAILED_PRECONDITION` when called from inside an active transaction's work. */
  assertOutside(operation: 'transaction' | 'query' | 'execute' | 'migrate' | 'close'): void {
    if (!this.#storage.getStore()?.active) return;
    const hint =
      operation === 'transaction'
        ? 'nested transactions are not supported; run everything through the tx session you were given'
        : `${operation}() on the driver inside transaction work would run outside the transaction; use the tx session`;
    throw createError(ErrorCodes.FAILED_PRECONDITION, hint, { details: { operation } });
  }

  /** Runs `work` with `state` as the current transaction. */
  run<T>(state: TransactionState, work: () => Promise<T>): Promise<T> {
    return this.#storage.run(state, work);
  }
}

/** Throws `D7Y_ERR_FAILED_PRECONDITION` when a tx session is used after its transaction ended. */
export function assertActive(state: TransactionState): void {
  if (!state.active) throw createError(ErrorCodes.FAILED_PRECONDITION, 'the transaction has already been committed or rolled back');
}
