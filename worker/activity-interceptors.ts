/** Activity interceptors: the request id a workflow passed on appears on every log line of the activity. */
import type { Context } from '@temporalio/activity';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  ActivityOutboundCallsInterceptor,
  GetLogAttributesInput,
  Next,
} from '@temporalio/worker';
import { readRequestId } from '../workflows/shared/request-id';

/** Per activity execution: the inbound side reads the header, the outbound side logs it. */
export const requestIdActivityInterceptors: ActivityInterceptorsFactory = (_ctx: Context) => {
  let requestId: string | undefined;
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
      requestId = readRequestId(input.headers);
      return next(input);
    },
  };
  const outbound: ActivityOutboundCallsInterceptor = {
    getLogAttributes(input: GetLogAttributesInput, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>) {
      const attributes = next(input);
      return requestId ? { ...attributes, requestId } : attributes;
    },
  };
  return { inbound, outbound };
};
