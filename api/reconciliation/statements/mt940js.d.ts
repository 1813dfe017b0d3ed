/** The part of mt940js (which ships no types) the MT940 parser uses. */
declare module 'mt940js' {
  export interface Mt940Transaction {
    date: Date;
    entryDate?: Date;
    /** Signed: credit positive, debit negative. */
    amount: number;
    isReversal: boolean;
    currency: string;
    details: string;
    transactionType: string;
    reference: string;
    bankReference?: string;
    extraDetails?: string;
  }
  export interface Mt940Statement {
    transactionReference: string;
    accountIdentification: string;
    currency: string;
    openingBalanceDate: Date;
    closingBalanceDate: Date;
    openingBalance: number;
    closingBalance: number;
    transactions: Mt940Transaction[];
  }
  export class Parser {
    constructor(options?: { no86Structure?: boolean });
    parse(data: string, withTags?: boolean): Mt940Statement[];
  }
}
