/** Rupiah in messages that the workflow and the API share: "IDR 1,000,000". Pure, no Intl locale data needed. */
export function formatRupiah(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  return `IDR ${sign}${String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}
