/**
 * Saved cards and off-session charges of the sandbox gateway (issue 20), as card gateways offer them: the merchant
 * opens a **card setup** for its customer, the customer enters the card on the gateway's own page (the card number
 * never reaches the merchant), and the merchant reads back a card token (`card_…`) with the brand and last four
 * digits. The merchant then **charges** the token without the customer present, each charge keyed by its
 * Idempotency-Key (the same key answers the same outcome, a decline included).
 *
 * Test cards, as card gateways document theirs: `4242424242424242` (Visa) and `5555555555554444` (Mastercard) are
 * charged; `4000000000000002` is always declined. The gateway's fault mode `decline` declines every charge.
 *
 * Merchant routes (API key): `POST /v1/card-setups` `{customerRef}`; `GET /v1/card-setups/{setupRef}`;
 * `POST /v1/card-setups/{setupRef}/simulate-complete` `{number?}` (what the page does, for scripts and tests);
 * `POST /v1/charges` `{cardRef, amount, merchantRef, description}`; `GET /v1/charges`. The page: `/cards/setup/{setupRef}`.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** A card saved at the gateway, as the merchant may see it. */
export interface SandboxCard {
  cardRef: string;
  customerRef: string;
  brand: 'visa' | 'mastercard';
  last4: string;
  expMonth: number;
  expYear: number;
  /** Test card 4000000000000002: every charge is declined. */
  declines: boolean;
}

/** A card setup: pending until the customer enters a card on the gateway's page. */
export interface SandboxCardSetup {
  setupRef: string;
  customerRef: string;
  status: 'pending' | 'completed';
  card: Omit<SandboxCard, 'declines' | 'customerRef'> | null;
  createdAt: string;
}

/** A charge's answer, kept by its Idempotency-Key. */
export type SandboxChargeAnswer =
  | { status: 201; charge: { chargeRef: string; status: 'succeeded'; cardRef: string; amount: number; merchantRef: string; createdAt: string } }
  | { status: 402; error: { code: 'card_declined'; message: string }; cardRef: string; amount: number; merchantRef: string };

/** One change of the card desk, as the gateway's journal keeps it. */
export type CardRecord = { kind: 'setup'; setup: SandboxCardSetup; card: SandboxCard | null } | { kind: 'charge'; key: string; answer: SandboxChargeAnswer };

/** A refusal the gateway answers as JSON. */
export class CardDeskError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const ZSetupRequest = z.strictObject({ customerRef: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"') });
const ZCompleteRequest = z.strictObject({
  number: z.string().regex(/^\d{13,19}$/, 'must be 13 to 19 digits').default('4242424242424242'),
  expMonth: z.int().min(1).max(12).default(12),
  expYear: z.int().min(2000).max(2100).default(2030),
});
const ZChargeRequest = z.strictObject({
  cardRef: z.string().min(1),
  amount: z.int().positive(),
  merchantRef: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  description: z.string().trim().min(1).max(255),
});

/** The Luhn check every card number passes. */
function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** What the card desk needs from its gateway. */
export interface CardDeskOptions {
  now: () => number;
  log: (line: string) => void;
  append: (record: CardRecord) => void;
  /** The gateway's base URL, for the setup page's link. */
  baseUrl: () => string;
}

/** The card desk of a sandbox gateway: its state, and its routes. */
export function createCardDesk(opts: CardDeskOptions) {
  const setups = new Map<string, SandboxCardSetup>();
  const cards = new Map<string, SandboxCard>();
  const charges = new Map<string, SandboxChargeAnswer>();

  function restore(record: CardRecord): void {
    if (record.kind === 'setup') {
      setups.set(record.setup.setupRef, record.setup);
      if (record.card) cards.set(record.card.cardRef, record.card);
    } else charges.set(record.key, record.answer);
  }

  function setupOf(setupRef: string): SandboxCardSetup {
    const setup = setups.get(setupRef);
    if (!setup) throw new CardDeskError(404, 'setup_not_found', `no card setup ${setupRef}`);
    return setup;
  }

  function openSetup(customerRef: string): SandboxCardSetup {
    const setup: SandboxCardSetup = { setupRef: `cs_${randomBytes(10).toString('hex')}`, customerRef, status: 'pending', card: null, createdAt: new Date(opts.now()).toISOString() };
    opts.append({ kind: 'setup', setup, card: null });
    setups.set(setup.setupRef, setup);
    return setup;
  }

  function completeSetup(setupRef: string, input: z.infer<typeof ZCompleteRequest>): SandboxCardSetup {
    const setup = setupOf(setupRef);
    if (setup.status === 'completed') return setup;
    if (!luhnValid(input.number)) throw new CardDeskError(400, 'invalid_card', 'number: is not a valid card number', 'number');
    const brand = input.number.startsWith('5') ? 'mastercard' : 'visa';
    const card: SandboxCard = {
      cardRef: `card_${randomBytes(10).toString('hex')}`,
      customerRef: setup.customerRef,
      brand,
      last4: input.number.slice(-4),
      expMonth: input.expMonth,
      expYear: input.expYear,
      declines: input.number === '4000000000000002',
    };
    const { declines: _d, customerRef: _c, ...shown } = card;
    const completed: SandboxCardSetup = { ...setup, status: 'completed', card: shown };
    opts.append({ kind: 'setup', setup: completed, card });
    setups.set(setupRef, completed);
    cards.set(card.cardRef, card);
    opts.log(`card ${card.cardRef} saved for ${setup.customerRef} (${brand} ${card.last4})`);
    return completed;
  }

  function charge(key: string, request: z.infer<typeof ZChargeRequest>, declineAll: boolean): SandboxChargeAnswer {
    const before = charges.get(key);
    if (before) {
      const was = before.status === 201 ? before.charge : before;
      if (was.cardRef !== request.cardRef || was.amount !== request.amount || was.merchantRef !== request.merchantRef) {
        throw new CardDeskError(409, 'idempotency_key_conflict', `Idempotency-Key ${key} was used for another charge`, 'Idempotency-Key');
      }
      return before;
    }
    const card = cards.get(request.cardRef);
    if (!card) throw new CardDeskError(404, 'card_not_found', `no card ${request.cardRef}`, 'cardRef');
    const { cardRef, amount, merchantRef } = request;
    const answer: SandboxChargeAnswer =
      card.declines || declineAll
        ? { status: 402, error: { code: 'card_declined', message: card.declines ? 'the issuer declined the card (test card 4000000000000002)' : 'the issuer declined the card (sandbox fault mode "decline")' }, cardRef, amount, merchantRef }
        : { status: 201, charge: { chargeRef: `ch_${randomBytes(10).toString('hex')}`, status: 'succeeded', cardRef, amount, merchantRef, createdAt: new Date(opts.now()).toISOString() } };
    opts.append({ kind: 'charge', key, answer });
    charges.set(key, answer);
    opts.log(`charge ${key} of ${amount} on ${cardRef}: ${answer.status === 201 ? 'succeeded' : 'declined'}`);
    return answer;
  }

  function setupPage(setup: SandboxCardSetup, note = ''): string {
    const state =
      setup.status === 'completed'
        ? `<p>Card saved: ${setup.card!.brand} ending ${setup.card!.last4}. You can close this page.</p>`
        : `<form method="post"><label>Card number <input name="number" value="4242424242424242" inputmode="numeric"></label>
<p>Test cards: 4242424242424242 is charged, 4000000000000002 is always declined.</p><button>Save card</button></form>`;
    return `<!doctype html><meta charset="utf-8"><title>Sandbox: save a card</title><h1>Save a card</h1><p>For customer ${setup.customerRef}</p>${note}${state}`;
  }

  return {
    restore,
    /** Every charge answered, by key (copies). */
    charges: () => [...charges.entries()].map(([key, answer]) => ({ key, ...structuredClone(answer) })),
    /** The merchant routes; null when the path is not one of them. `declineAll`: the fault mode `decline`. */
    merchantRoute(method: string, path: string, json: (schema: z.ZodType) => unknown, idempotencyKey: string | undefined, declineAll: boolean): { status: number; body: unknown } | null {
      if (method === 'POST' && path === '/v1/card-setups') {
        const { customerRef } = json(ZSetupRequest) as z.infer<typeof ZSetupRequest>;
        const setup = openSetup(customerRef);
        return { status: 201, body: { ...setup, url: `${opts.baseUrl()}/cards/setup/${setup.setupRef}` } };
      }
      const setupPath = /^\/v1\/card-setups\/(cs_[0-9a-f]+)(\/simulate-complete)?$/.exec(path);
      if (setupPath?.[1] && method === 'GET' && !setupPath[2]) return { status: 200, body: setupOf(setupPath[1]) };
      if (setupPath?.[1] && method === 'POST' && setupPath[2]) return { status: 200, body: completeSetup(setupPath[1], json(ZCompleteRequest) as z.infer<typeof ZCompleteRequest>) };
      if (method === 'POST' && path === '/v1/charges') {
        if (!idempotencyKey || !/^[A-Za-z0-9_.:-]{1,100}$/.test(idempotencyKey)) throw new CardDeskError(400, 'invalid_request', 'Idempotency-Key: is required (1 to 100 letters, digits, "_", ".", ":" or "-")', 'Idempotency-Key');
        const answer = charge(idempotencyKey, json(ZChargeRequest) as z.infer<typeof ZChargeRequest>, declineAll);
        return answer.status === 201 ? { status: 201, body: answer.charge } : { status: 402, body: { error: answer.error } };
      }
      if (method === 'GET' && path === '/v1/charges') return { status: 200, body: { items: [...charges.entries()].map(([key, answer]) => ({ key, ...answer })) } };
      return null;
    },
    /** The customer's card page: shows the form, saves the card on POST; null when the path is not it. */
    page(method: string, path: string, form: URLSearchParams): string | null {
      const m = /^\/cards\/setup\/(cs_[0-9a-f]+)$/.exec(path);
      if (!m?.[1]) return null;
      const setup = setupOf(m[1]);
      if (method !== 'POST' || setup.status === 'completed') return setupPage(setup);
      const parsed = ZCompleteRequest.safeParse({ number: (form.get('number') ?? '').replace(/\s+/g, '') });
      if (!parsed.success || !luhnValid(parsed.data.number)) return setupPage(setup, '<p>That is not a valid card number.</p>');
      return setupPage(completeSetup(setup.setupRef, parsed.data));
    },
  };
}
