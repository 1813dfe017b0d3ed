/**
 * Workflow interceptors (registered in the worker's `workflowModules`): the request id of the message being
 * handled is remembered, added to every workflow log line, and passed on to the activities it schedules.
 */
import type {
  ActivityInput,
  GetLogAttributesInput,
  Next,
  SignalInput,
  UpdateInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { readRequestId, withRequestId } from './request-id';

/** The request id of the latest message that carried one, per workflow run. */
interface RequestIdState {
  requestId: string | undefined;
}

class RequestIdInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly state: RequestIdState) {}

  private remember(headers: UpdateInput['headers']): void {
    this.state.requestId = readRequestId(headers) ?? this.state.requestId;
  }

  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    this.remember(input.headers);
    return next(input);
  }

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    this.remember(input.headers);
    return next(input);
  }

  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    this.remember(input.headers);
    return next(input);
  }
}

class RequestIdOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly state: RequestIdState) {}

  async scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return next({ ...input, headers: withRequestId(input.headers, this.state.requestId) });
  }

  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const attributes = next(input);
    return this.state.requestId ? { ...attributes, requestId: this.state.requestId } : attributes;
  }
}

/** One state per workflow run, shared by its inbound and outbound interceptors. */
export const interceptors: WorkflowInterceptorsFactory = () => {
  const state: RequestIdState = { requestId: undefined };
  return { inbound: [new RequestIdInbound(state)], outbound: [new RequestIdOutbound(state)] };
};
