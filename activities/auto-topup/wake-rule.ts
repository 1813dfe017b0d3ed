/** Wakes a wallet's automatic top-up rule from inside an activity (an invoice paid from the deposit lowered it). */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { ruleWantsCheck } from '../../db/auto-topup/rules';
import { autoTopupCheckStart, WORKFLOW_NAMES, type TopupPolicy, type Wallet } from '../../workflows/definitions';

/** Signals (or starts) the rule's workflow when the wallet, now at `balance`, is below an active rule's threshold. */
export async function wakeAutoTopupRule(pool: Pool, policy: TopupPolicy, accountId: string, wallet: Wallet, balance: number): Promise<void> {
  if (!(await ruleWantsCheck(pool, accountId, wallet, balance))) return;
  const { client, info } = Context.current();
  await client.workflow.signalWithStart(WORKFLOW_NAMES.autoTopupRule, autoTopupCheckStart({ accountId, wallet, policy }, info.taskQueue, 'balance'));
}
