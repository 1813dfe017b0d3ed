/**
 * Credential changes told to every API process at once: a user disabled, removed, given another role, or one of
 * its keys revoked is announced on the `principal_changed` channel when its transaction commits, and each API
 * process listening forgets what it had cached of that user (api/accounts/principal-cache.ts). Without a listener
 * (a lost connection while it reconnects) the cache still forgets within its few seconds.
 */
import { Client, type PoolClient } from 'pg';

const CHANNEL = 'principal_changed';

/** Announces, on commit of the caller's transaction, that `userId`'s credentials changed. */
export async function notifyCredentialsChanged(client: PoolClient, userId: string): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [CHANNEL, userId]);
}

/** Announces, on commit, that the credentials of every user of an account changed (the account was suspended). */
export async function notifyAccountCredentialsChanged(client: PoolClient, accountId: string): Promise<void> {
  await client.query('SELECT pg_notify($1, id) FROM users WHERE account_id = $2', [CHANNEL, accountId]);
}

/** A running listener; `stop()` closes its connection. */
export interface CredentialChangeListener {
  stop(): Promise<void>;
}

/**
 * Listens on its own connection and calls `onChange(userId)` for each announcement; reconnects (every
 * `retryMs`) after losing the server, calling `onReconnect` then, since announcements made meanwhile were missed.
 */
export async function listenForCredentialChanges(
  connectionString: string,
  handlers: { onChange(userId: string): void; onReconnect(): void; onError(err: Error): void },
  retryMs = 1_000,
): Promise<CredentialChangeListener> {
  let stopped = false;
  let client: Client | null = null;
  let retry: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString });
    c.on('notification', (n) => {
      if (n.channel === CHANNEL && n.payload) handlers.onChange(n.payload);
    });
    c.on('error', (err) => {
      handlers.onError(err);
      c.end().catch(() => undefined);
      if (client === c) client = null;
      if (!stopped) retry = setTimeout(() => void reconnect(), retryMs);
    });
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  };
  const reconnect = async (): Promise<void> => {
    try {
      await connect();
      handlers.onReconnect();
    } catch (err) {
      handlers.onError(err instanceof Error ? err : new Error(String(err)));
      if (!stopped) retry = setTimeout(() => void reconnect(), retryMs);
    }
  };
  await connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
