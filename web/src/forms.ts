/**
 * Accessible form pieces: every control has a visible label, an optional hint, and an error slot next to it
 * tied with aria-describedby. The API's `error.fields[].path` names the control (its `name`), so a refusal is
 * shown beside the field it is about; anything else goes to the form's alert at the top.
 */
import { ApiError, type FieldProblem } from './api';
import { append, h, uid, type Child } from './dom';
import { t } from './i18n';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A labelled control with its hint and error slot; the control's `name` is the API field it fills. */
export function field(label: string, control: Control, hint?: string): HTMLElement {
  const id = control.id || uid('field');
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  control.setAttribute('aria-describedby', [hintEl?.id, errorEl.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl, errorEl);
}

/** The alert box at the top of a form, for problems no field owns. */
export function formAlert(): HTMLElement {
  return h('div', { class: 'form-alert', role: 'alert', tabindex: -1, hidden: true });
}

function controls(form: HTMLElement): Control[] {
  return [...form.querySelectorAll<Control>('input[name], select[name], textarea[name]')];
}

/** Removes every error shown in the form. */
export function clearProblems(form: HTMLElement): void {
  for (const control of controls(form)) {
    control.removeAttribute('aria-invalid');
    const error = document.getElementById(`${control.id}-error`);
    if (error) {
      error.textContent = '';
      error.hidden = true;
    }
  }
  const alert = form.querySelector<HTMLElement>('.form-alert');
  if (alert) {
    alert.textContent = '';
    alert.hidden = true;
  }
}

/**
 * Shows each problem beside its control (`alias` maps an API path to a control name when they differ) and
 * moves focus to the first one; problems no control owns, and `message` when none is placed, go to the alert.
 */
export function showProblems(form: HTMLElement, problems: FieldProblem[], message: string, alias: Record<string, string> = {}): void {
  clearProblems(form);
  const byName = new Map(controls(form).map((c) => [c.name, c]));
  const unplaced: string[] = [];
  let first: HTMLElement | null = null;
  for (const problem of problems) {
    const control = byName.get(alias[problem.path] ?? problem.path);
    const error = control && document.getElementById(`${control.id}-error`);
    if (!control || !error) {
      unplaced.push(`${problem.path}: ${problem.rule}`);
      continue;
    }
    control.setAttribute('aria-invalid', 'true');
    error.textContent = error.textContent ? `${error.textContent}; ${problem.rule}` : capitalise(problem.rule);
    error.hidden = false;
    first ??= control;
  }
  const alert = form.querySelector<HTMLElement>('.form-alert');
  const alertText = unplaced.length ? unplaced.join('; ') : first ? t('app.fixFields') : message;
  if (alert) {
    alert.textContent = alertText;
    alert.hidden = false;
  }
  (first ?? alert)?.focus();
}

/** Shows any error of an API call in the form: field problems beside their fields, the rest in the alert. */
export function showError(form: HTMLElement, err: unknown, alias: Record<string, string> = {}): void {
  if (err instanceof ApiError) showProblems(form, err.fields, err.fields.length ? err.message : t('app.error', { message: err.message }), alias);
  else showProblems(form, [], t('app.error', { message: err instanceof Error ? err.message : String(err) }));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Runs `action` with the form's submit buttons disabled, so one click makes one request. */
export async function whileBusy(form: HTMLElement, action: () => Promise<void>): Promise<void> {
  const buttons = [...form.querySelectorAll<HTMLButtonElement>('button')];
  buttons.forEach((b) => (b.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    form.removeAttribute('aria-busy');
  }
}

/** A form whose submit runs `onSubmit` (clearing old errors first and showing new ones). */
export function form(attrs: { label: string; class?: string }, children: Child[], onSubmit: (form: HTMLFormElement) => Promise<void>): HTMLFormElement {
  const el = h('form', { 'aria-label': attrs.label, class: attrs.class, novalidate: true }, formAlert(), ...children);
  el.addEventListener('submit', (event) => {
    event.preventDefault();
    clearProblems(el);
    void whileBusy(el, () => onSubmit(el).catch((err: unknown) => showError(el, err)));
  });
  return el;
}

/** A modal dialog (native <dialog>: focus is kept inside and Escape closes it); removed from the page when closed. */
export function modal(title: string, body: (close: () => void) => Child[]): HTMLDialogElement {
  const titleId = uid('dialog-title');
  const dialog = h('dialog', { 'aria-labelledby': titleId, class: 'dialog' });
  const close = () => dialog.close();
  append(dialog, h('h2', { id: titleId }, title), ...body(close));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
