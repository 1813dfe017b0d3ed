/** The bench worker's one activity. */

/** Does nothing: its cost is Temporal's scheduling, dispatch and completion alone. */
export async function noopActivity(): Promise<void> {}
