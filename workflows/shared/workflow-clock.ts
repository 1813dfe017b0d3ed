/**
 * Workflow time. Inside the workflow sandbox `Date` is deterministic: it is the time of the current
 * workflow task, replayed identically. This is the one place workflows read it.
 */
export function workflowNow(): Date {
  return new Date();
}
