/** When an account may top up its deposit (seed 002, DOMAIN.md "Deposit and auto-pay"). Pure. */

/** What the deposit rules look at: the account's active subscriptions and its unpaid invoices. */
export interface DepositStanding {
  activeSubscriptions: number;
  unpaidInvoiceIds: string[];
}

/**
 * Why the account may not top up its deposit now (seed 002), or null: it needs an active service, and no
 * invoice may be unpaid (pay that invoice instead: its order settles it).
 */
export function depositEligibilityRule(standing: DepositStanding): string | null {
  if (standing.unpaidInvoiceIds.length > 0) {
    return `a deposit top-up is refused while an invoice is unpaid (${standing.unpaidInvoiceIds.join(', ')}); pay the invoice first: POST /v1/invoices/{id}/pay`;
  }
  if (standing.activeSubscriptions === 0) return 'a deposit top-up needs an active subscription';
  return null;
}
