/** What both kinds of order answer and take under the same wire names, typed for callers that hold either. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { OrderView } from '../bank-transfer/messages';
import type { OnlineOrderView } from '../online/messages';
import type { Actor } from './order-change';

/** Either kind of order, as the read model and the shared `getOrder` query hold it. */
export type AnyOrderView = OrderView | OnlineOrderView;

/** True for an online order's view. */
export function isOnlineOrder(view: AnyOrderView): view is OnlineOrderView {
  return 'kind' in view && view.kind === 'online';
}

/** The `getOrder` query as both order workflows answer it. */
export const getAnyOrderQuery = defineQuery<AnyOrderView>('getOrder');
export const deleteAnyOrderUpdate = defineUpdate<AnyOrderView, [Actor]>('deleteOrder');
export const approveAnyOrderUpdate = defineUpdate<AnyOrderView, [Actor & { checkResult?: string }]>('approve');
export const rejectAnyOrderUpdate = defineUpdate<AnyOrderView, [Actor & { reason: string }]>('reject');

