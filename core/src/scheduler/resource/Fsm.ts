import { createError, ErrorCodes } from '../../common/errors.js';

/** One event of a state machine: the states it may fire from and the state it leads to. */
export interface Transition<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

/** Called after a transition, with the event and the state it left. */
export type TransitionHook<S extends string, E extends string> = (event: E, from: S, to: S) => void;

/**
 * A small finite-state machine in the shape of looplab/fsm, as Dragonfly's resources use it: named events,
 * each allowed from a set of states, with an optional hook after every transition.
 */
export class Fsm<S extends string, E extends string> {
  #current: S;

  constructor(
    initial: S,
    private readonly transitions: Readonly<Record<E, Transition<S>>>,
    private readonly onTransition?: TransitionHook<S, E>,
  ) {
    this.#current = initial;
  }

  /** The current state. */
  get current(): S {
    return this.#current;
  }

  /** True if the machine is in one of `states`. */
  is(...states: S[]): boolean {
    return states.includes(this.#current);
  }

  /** True if `event` may fire now. */
  can(event: E): boolean {
    return this.transitions[event].from.includes(this.#current);
  }

  /**
   * Fires `event`. Throws `D7Y_ERR_FAILED_PRECONDITION` (gRPC FAILED_PRECONDITION) when the event is not allowed
   * in the current state; the state is then unchanged.
   */
  event(event: E): void {
    const transition = this.transitions[event];
    if (!transition.from.includes(this.#current)) {
      throw createError(ErrorCodes.FAILED_PRECONDITION, `event ${event} inappropriate in current state ${this.#current}`, {
        details: { event, state: this.#current },
      });
    }
    const from = this.#current;
    this.#current = transition.to;
    this.onTransition?.(event, from, transition.to);
  }
}
