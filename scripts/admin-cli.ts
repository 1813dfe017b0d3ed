/**
 * `npm run admin -- <command>`: the provider's first admin on a fresh deployment, and a way back in.
 *
 *   create-admin --username <name> --email <address>   a new admin, with a one-time password-setup link (72 h)
 *   setup-link --username <name>                       a new setup link for an existing person (the old one stops)
 *
 * The link is printed, and emailed by the worker (the same workflow as every invitation), so it arrives even when
 * the worker is not up yet; when Temporal cannot be reached the printed link is all there is. It applies pending
 * migrations first, like every process, so it runs on an empty database. The same in the compose stack:
 * `docker-compose run --rm api npm run admin -- create-admin …`.
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { passwordLinkUrl } from '../activities/accounts/password-link-activities';
import { requestPasswordLinkEmail } from '../api/accounts/password-link-email';
import { ZEmail, ZUsername } from '../api/accounts/user-schemas';
import { loadSettings, publicUrl, type Settings } from '../config/settings';
import { withConfiguredDatabase } from '../db/configured-database';
import { inviteUser, reissuePasswordLink, UsernameTakenError, type OnboardingContext } from '../db/accounts/onboarding';
import type { IssuedLink } from '../db/accounts/password-links';
import { findUserByUsername } from '../db/accounts/users';
import { migrate } from '../db/migrate';

const USAGE = `usage: npm run admin -- create-admin --username <name> --email <address>
       npm run admin -- setup-link --username <name>`;

/** A refusal the command prints as one line (no stack) and exits 1 on. */
class CommandError extends Error {}

/** A flag's value checked by its rule, or a CommandError naming the flag and the rule. */
function flag(values: Record<string, string | boolean | undefined>, name: string, rule: typeof ZUsername | typeof ZEmail): string {
  const value = values[name];
  if (typeof value !== 'string') throw new CommandError(`--${name} is required\n${USAGE}`);
  const parsed = rule.safeParse(value);
  if (!parsed.success) throw new CommandError(`--${name}: ${parsed.error.issues[0]?.message ?? 'is not valid'}`);
  return parsed.data;
}

/** Asks the worker to email the link; answers what happened, in one line. */
async function requestEmail(settings: Settings, linkId: string): Promise<string> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS, connectTimeout: '5s' });
    await requestPasswordLinkEmail(new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE }), settings.TEMPORAL_TASK_QUEUE, linkId);
    return 'The worker emails the same link (it sends it once it runs).';
  } catch (err) {
    return `The email could not be asked for (Temporal at ${settings.TEMPORAL_ADDRESS}: ${err instanceof Error ? err.message : String(err)}): hand the link over yourself.`;
  } finally {
    await connection?.close();
  }
}

function printLink(settings: Settings, who: string, link: IssuedLink, emailed: string): void {
  process.stdout.write(
    [
      `${who}`,
      `Password-setup link (works once, until ${link.expiresAt.toISOString()}):`,
      `  ${passwordLinkUrl(publicUrl(settings), link.token)}`,
      emailed,
      '',
    ].join('\n'),
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { username: { type: 'string' }, email: { type: 'string' } }, strict: true });
  if (command !== 'create-admin' && command !== 'setup-link') throw new CommandError(USAGE);
  const username = flag(values, 'username', ZUsername);
  const email = command === 'create-admin' ? flag(values, 'email', ZEmail) : null;
  const settings = loadSettings();
  const ctx = (): OnboardingContext => ({ actor: { userId: null, address: null }, linkSecret: settings.PASSWORD_LINK_SECRET, now: new Date() });
  const { who, link } = await withConfiguredDatabase(settings, async (pool) => {
    await migrate(pool);
    if (email !== null) {
      try {
        const created = await inviteUser(pool, { accountId: null, username, email, role: 'admin' }, ctx());
        return { who: `Admin ${username} created (${email}).`, link: created.link! };
      } catch (err) {
        if (err instanceof UsernameTakenError) throw new CommandError(`--username: ${err.message}`);
        throw err;
      }
    }
    const user = await findUserByUsername(pool, username);
    if (!user || user.status === 'removed') throw new CommandError(`--username: nobody has the username ${username}`);
    if (user.role === 'service') throw new CommandError(`--username: ${username} is a service, which uses API keys and has no password`);
    if (user.status === 'disabled') throw new CommandError(`--username: ${username} is disabled; an admin enables it first`);
    return { who: `A new setup link for ${username} (${user.role}); older links stop working.`, link: await reissuePasswordLink(pool, user, 'setup', ctx()) };
  });
  printLink(settings, who, link, await requestEmail(settings, link.id));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
