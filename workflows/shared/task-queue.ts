/** The task queue the worker polls for top-up workflows and activities. */
export const TASK_QUEUE = 'topup';
