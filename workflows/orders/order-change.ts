/** Who sends an order a message, and the change it made, as both kinds of order record it. */

/** Who sends a message: the user id the API authenticated. */
export interface Actor {
  by: string;
}

/**
 * A change someone's message made to an order, given to the read-model write of the revision it produced and
 * written to the operation log with it, once (keyed by order and revision): a repeated or refused message makes
 * no change, so it is never logged, and of racing messages only the one that made the change is.
 */
export interface OrderChange {
  /** The operation log's action, e.g. `order.approve`. */
  action: string;
  /** The user whose message made the change; null for the order's own timers and the gateway's payments. */
  by: string | null;
  details?: Record<string, unknown>;
}

