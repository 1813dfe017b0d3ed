/**
 * The emails of one-time password links, in the account's locale (English for the provider's staff): an invitation
 * (an admin invites staff or an account's owner, an owner its PICs), the first admin's setup link, and a reset. Pure.
 */
import { formatDateTime } from '../shared/money-format';
import type { PasswordLinkPurpose } from '../../db/accounts/password-links';
import { roleName, type Locale } from '../../workflows/definitions';
import { renderEmail, type RenderedEmail } from '../shared/render-email';

/** What a link's email says. */
export interface PasswordLinkEmailData {
  locale: Locale;
  timeZone: string;
  providerName: string;
  purpose: PasswordLinkPurpose;
  username: string;
  role: string;
  /** The customer's company; null for the provider's staff. */
  companyName: string | null;
  invitedBy: string | null;
  url: string;
  expiresAt: Date;
}

/** The email carrying a password link. */
export function passwordLinkEmail(d: PasswordLinkEmailData): RenderedEmail {
  const en = d.locale === 'en';
  const role = roleName(d.role, d.locale);
  const until = formatDateTime(d.expiresAt.toISOString(), d.locale, d.timeZone);
  const where = d.companyName ?? d.providerName;
  const rows: [string, string][] = [
    [en ? 'Username' : 'Nama pengguna', d.username],
    ...(d.companyName ? [[en ? 'Company' : 'Perusahaan', d.companyName] as [string, string]] : []),
    [en ? 'Role' : 'Peran', role],
    [en ? 'Link valid until' : 'Tautan berlaku hingga', until],
  ];
  const once = en ? 'The link works once. Never share it: nobody from us will ask for it or for your password.' : 'Tautan hanya dapat dipakai sekali. Jangan bagikan: kami tidak pernah memintanya atau kata sandi Anda.';
  const common = { locale: d.locale, providerName: d.providerName, rows, greeting: en ? `Hello ${d.username},` : `Halo ${d.username},` };
  if (d.purpose === 'reset') {
    return renderEmail({
      ...common,
      subject: en ? 'Reset your password' : 'Atur ulang kata sandi Anda',
      heading: en ? 'Reset your password' : 'Atur ulang kata sandi',
      intro: en
        ? `Someone asked to reset the password of ${d.username}. Choose a new one with the link below; it works for one hour.`
        : `Ada permintaan untuk mengatur ulang kata sandi ${d.username}. Pilih kata sandi baru melalui tautan di bawah; tautan berlaku satu jam.`,
      action: { label: en ? 'Choose a new password' : 'Pilih kata sandi baru', url: d.url },
      notes: [once, en ? 'If you did not ask for it, ignore this email: your password stays as it is.' : 'Jika Anda tidak memintanya, abaikan email ini: kata sandi Anda tetap sama.'],
    });
  }
  const by = d.invitedBy ? (en ? `${d.invitedBy} invited you` : `${d.invitedBy} mengundang Anda`) : en ? 'You were given an account' : 'Anda mendapatkan akun';
  return renderEmail({
    ...common,
    subject: en ? `Your ${d.providerName} top-up console account` : `Akun konsol top-up ${d.providerName} Anda`,
    heading: en ? 'Choose your password' : 'Pilih kata sandi Anda',
    intro: en
      ? `${by} to the top-up console of ${where} as ${role}. Choose your password with the link below to sign in.`
      : `${by} ke konsol top-up ${where} sebagai ${role}. Pilih kata sandi Anda melalui tautan di bawah untuk masuk.`,
    action: { label: en ? 'Choose your password' : 'Pilih kata sandi', url: d.url },
    notes: [once],
  });
}
