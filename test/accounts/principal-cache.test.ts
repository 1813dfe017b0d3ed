/**
 * The API's token → principal cache: a token revoked behind this process (by another API process) stops working
 * within the TTL; one revoked through this process is forgotten at once; the cache stays bounded.
 */
import type { Principal } from '../../api/accounts/auth';
import { PRINCIPAL_TTL_MS, PrincipalCache } from '../../api/accounts/principal-cache';

const pic = (userId: string): Principal => ({ userId, username: userId, email: `${userId}@customer.example`, role: 'pic', accountId: 'acc_1' });

describe('principal cache', () => {
  test('When a resolved token is asked for again, then it is answered until the TTL passes, and not after', () => {
    let now = 1_000;
    const cache = new PrincipalCache(PRINCIPAL_TTL_MS, () => now);
    cache.set('hash-a', pic('usr_a'));
    now += PRINCIPAL_TTL_MS - 1;
    expect(cache.get('hash-a')?.userId).toBe('usr_a');
    now += 1;
    expect(cache.get('hash-a')).toBeUndefined();
  });

  test("When a user's tokens are revoked through this process, then all of them are forgotten at once and others stay", () => {
    const cache = new PrincipalCache();
    cache.set('hash-1', pic('usr_gone'));
    cache.set('hash-2', pic('usr_gone'));
    cache.set('hash-3', pic('usr_kept'));
    cache.forgetUser('usr_gone');
    expect(cache.get('hash-1')).toBeUndefined();
    expect(cache.get('hash-2')).toBeUndefined();
    expect(cache.get('hash-3')?.userId).toBe('usr_kept');
  });

  test('When more than 10,000 tokens are resolved, then the oldest are dropped and the newest kept', () => {
    const cache = new PrincipalCache();
    for (let i = 0; i <= 10_000; i += 1) cache.set(`hash-${i}`, pic(`usr_${i}`));
    expect(cache.get('hash-0')).toBeUndefined();
    expect(cache.get('hash-10000')?.userId).toBe('usr_10000');
  });

  test('When the TTL is 0, then nothing is cached', () => {
    const cache = new PrincipalCache(0);
    cache.set('hash-a', pic('usr_a'));
    expect(cache.get('hash-a')).toBeUndefined();
  });
});
