/** The workflow id of an order, and back: one order is one workflow, `topup-<orderNumber>`, of either kind. */

const ORDER_WORKFLOW_PREFIX = 'topup-';

/** Workflow id of an order: `topup-<orderNumber>`. */
export function orderWorkflowId(orderNumber: string): string {
  return `${ORDER_WORKFLOW_PREFIX}${orderNumber}`;
}

/** Inverse of {@link orderWorkflowId}; undefined for an id that is not an order's. */
export function orderNumberFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(ORDER_WORKFLOW_PREFIX) ? workflowId.slice(ORDER_WORKFLOW_PREFIX.length) : undefined;
}

