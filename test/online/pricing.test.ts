/** The self top-up numbers of seed 001 and DOMAIN.md, as pure rules. */
import fc from 'fast-check';
import { paymentFee, priceOnlineLine, priceOnlineOrder } from '../../workflows/online/pricing';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';

const P = DEFAULT_POLICY;

test('When 999,999 is asked for WhatsApp, then the line is raised to 1,000,000 and says so', () => {
  expect(priceOnlineLine({ wallet: 'whatsapp', amount: 999_999 }, P)).toEqual({
    wallet: 'whatsapp',
    requested: 999_999,
    credit: 1_000_000,
    price: 1_000_000,
    adjustment: 'raised to the minimum WhatsApp top-up of IDR 1,000,000',
  });
  expect(priceOnlineLine({ wallet: 'whatsapp', amount: 1_250_000 }, P)).toMatchObject({ credit: 1_250_000, adjustment: null });
});

test('When muv is asked for in packs (DOMAIN.md: a count of packs), then 2 packs credit 1,000 visitors and bill 600,000; a fraction or an overflowing count is refused', () => {
  expect(priceOnlineLine({ wallet: 'muv', amount: 2 }, P)).toEqual({ wallet: 'muv', requested: 2, credit: 1_000, price: 600_000, adjustment: null });
  expect(priceOnlineLine({ wallet: 'muv', amount: 1 }, P)).toMatchObject({ credit: 500, price: 300_000 });
  expect(priceOnlineLine({ wallet: 'muv', amount: 1.5 }, P)).toEqual({ field: 'lines.0.amount', rule: 'must be a positive whole number' });
  expect(priceOnlineLine({ wallet: 'muv', amount: Number.MAX_SAFE_INTEGER }, P)).toEqual({ field: 'lines.0.amount', rule: 'must be at most 30023997515 packs' });
});

test('When 1,000,000 is paid by credit card, then 1,035,000 is billed and 1,000,000 credited', () => {
  const bill = priceOnlineOrder([{ wallet: 'credit', amount: 1_000_000 }], 'credit_card', P);
  expect(bill).toEqual({ lines: [expect.objectContaining({ credit: 1_000_000, price: 1_000_000 })], subtotal: 1_000_000, fee: 35_000, total: 1_035_000 });
  expect(priceOnlineOrder([{ wallet: 'credit', amount: 1_000_000 }], 'virtual_account', P)).toMatchObject({ fee: 0, total: 1_000_000 });
});

test('When one order names several wallets, then each is priced and the total is their sum; a repeated wallet is refused', () => {
  const bill = priceOnlineOrder(
    [
      { wallet: 'whatsapp', amount: 500_000 },
      { wallet: 'muv', amount: 1 },
    ],
    'ewallet',
    P,
  );
  expect(bill).toMatchObject({ subtotal: 1_300_000, fee: 0, total: 1_300_000 });
  expect(priceOnlineOrder([{ wallet: 'credit', amount: 50_000 }, { wallet: 'credit', amount: 60_000 }], 'ewallet', P)).toEqual([
    { field: 'lines.1.wallet', rule: 'credit appears twice; one line per wallet' },
  ]);
  expect(priceOnlineOrder([], 'ewallet', P)).toEqual([{ field: 'lines', rule: 'must name at least one wallet' }]);
});

test('When any subtotal is paid by card, then the fee is 3.5 % rounded half up to a whole rupiah, exactly', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (subtotal) => {
      const fee = paymentFee(subtotal, 'credit_card', P);
      const exact = (BigInt(subtotal) * 350n) / 10_000n;
      return Number.isSafeInteger(fee) && (BigInt(fee) === exact || BigInt(fee) === exact + 1n);
    }),
  );
  expect(paymentFee(100, 'credit_card', P)).toBe(4); // 3.5 rounds up
  expect(paymentFee(10, 'credit_card', P)).toBe(0); // 0.35 rounds down
});
