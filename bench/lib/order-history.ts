/**
 * What one order cost Temporal, read from its workflow's history: the workflow tasks (each a round trip server →
 * worker → server, and a write of the history), the activity tasks by type, the updates, timers and signals.
 * Issue 22, item 1: the count to cut.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { orderWorkflowId } from '../../workflows/definitions';

const EventType = temporal.api.enums.v1.EventType;

/** The tasks and messages of one order's history. */
export interface OrderTasks {
  events: number;
  workflowTasks: number;
  activityTasks: number;
  activitiesByType: Record<string, number>;
  updates: number;
  timers: number;
  signals: number;
}

/** Counts the tasks in the history of order `orderNumber`'s workflow on the server at `address`. */
export async function orderTasks(address: string, orderNumber: string): Promise<OrderTasks> {
  const connection = await Connection.connect({ address });
  try {
    const history = await new Client({ connection }).workflow.getHandle(orderWorkflowId(orderNumber)).fetchHistory();
    const events = history.events ?? [];
    const count = (type: number) => events.filter((e) => e.eventType === type).length;
    const activitiesByType: Record<string, number> = {};
    for (const e of events) {
      const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && name) activitiesByType[name] = (activitiesByType[name] ?? 0) + 1;
    }
    return {
      events: events.length,
      workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      activityTasks: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      activitiesByType,
      updates: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
      timers: count(EventType.EVENT_TYPE_TIMER_STARTED),
      signals: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    };
  } finally {
    await connection.close();
  }
}
