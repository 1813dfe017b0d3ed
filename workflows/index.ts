/** The workflows the worker registers. */
export { topupOrder } from './topup-order';
