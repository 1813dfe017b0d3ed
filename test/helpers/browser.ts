/**
 * Debian's Chromium driven headless by playwright-core, for the web console's browser tests. Nothing is
 * downloaded: the browser is the system's (`apt-get install chromium`; npm test installs it, as root) and the
 * console is the one `npm test` built into dist/web.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { WEB_CONSOLE_DIR } from '../../api/shared/web-console';
import { projectRoot } from '../../config/paths';
import { deferredTestApi, startTestApi, type TestApi, type TestApiOptions } from './api';
import { TEST_PASSWORD } from './fixtures';
import { setInBeforeAll } from './set-in-before-all';

/** The Chromium binary: CHROMIUM_PATH, or Debian's. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails with what to do when the console was not built or Chromium is missing; a browser test never skips. */
export function requireBrowserTestPrerequisites(): void {
  const index = path.join(WEB_CONSOLE_DIR, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`The web console is not built (${index} is missing): run the suite with \`npm test\`, which builds it, or run \`npx vite build --config web/vite.config.mts\` first.`);
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: \`apt-get install chromium\` (.ci/run installs it), or set CHROMIUM_PATH.`);
  }
}

/** Starts headless Chromium; as root it needs --no-sandbox (Chromium refuses to sandbox as root). */
export function launchChromium(): Promise<Browser> {
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, timeout: 120_000, args: asRoot ? ['--no-sandbox'] : [] });
}

const uncaught: string[] = [];
const cspViolations: string[] = [];

/** Uncaught errors thrown in any page since the last call (a console that throws fails its test). */
export function takeUncaughtPageErrors(): string[] {
  return uncaught.splice(0);
}

/** What the Content-Security-Policy refused in any page since the last call, as Chromium logged it. */
export function takeCspViolations(): string[] {
  return cspViolations.splice(0);
}

/** A fresh browser profile (its own sessionStorage, so one user per context) on the app at `baseURL`. */
export async function newUserContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, locale: 'en-US', timezoneId: 'Asia/Jakarta', viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(45_000);
  context.on('weberror', (e) => uncaught.push(`${e.page()?.url() ?? ''}: ${e.error().stack ?? e.error().message}`));
  context.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(`${m.page()?.url() ?? ''}: ${m.text()}`);
  });
  return context;
}

/**
 * Saves the page as docs/screenshots/<name>.png when asked to (`UPDATE_SCREENSHOTS=1`), with the pointer out of the
 * way and the caret hidden, so a screenshot changes only when the page does.
 */
export async function saveScreenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  const dir = path.join(projectRoot(), 'docs', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(dir, `${name}.png`), animations: 'disabled', caret: 'hide', ...opts });
}

/** Fills the sign-in form the page shows and submits it; returns once the console shows the signed-in user's page. */
export async function submitSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Signs in through the sign-in page in a fresh browser profile, and answers the page once the first page is shown. */
export async function signInInBrowser(browser: Browser, baseURL: string, username: string, password: string): Promise<Page> {
  const page = await (await newUserContext(browser, baseURL)).newPage();
  await page.goto('/');
  await page.waitForURL(/\/sign-in/);
  await submitSignIn(page, username, password);
  await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Sign in' }).waitFor();
  return page;
}

/** A test file's web console in headless Chromium: the API that serves it, the browser, and its users' pages. */
export interface ConsoleInBrowser {
  /** The API harness serving the console (started before the file's own `beforeAll`). */
  readonly api: TestApi;
  /** The browser (inside tests and hooks only). */
  browser(): Browser;
  /** A page in a fresh browser profile on the console, signed in as no one; the profile is closed after the test. */
  newPage(): Promise<Page>;
  /** A page in a fresh browser profile signed in as `username` through the sign-in page; closed after the test. */
  signedIn(username: string, password?: string): Promise<Page>;
}

/**
 * The lifecycle every console test file shares, registered as hooks: before all, checks the prerequisites and starts
 * the API and Chromium side by side; after each test, closes the profiles it opened and fails the test if a page threw
 * or the Content-Security-Policy refused anything; after all, closes the browser and the API.
 */
export function useConsoleInBrowser(options: TestApiOptions = {}): ConsoleInBrowser {
  let api: TestApi | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    requireBrowserTestPrerequisites();
    [api, browser] = await Promise.all([startTestApi(options), launchChromium()]);
  }, 180_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    expect(takeUncaughtPageErrors()).toEqual([]);
    // Every page works under the app's Content-Security-Policy (api/shared/security-headers.ts): nothing it refused.
    expect(takeCspViolations()).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });
  const theApi = deferredTestApi(() => api);
  const theBrowser = setInBeforeAll(() => browser, 'The browser is not launched');
  const newPage = async (): Promise<Page> => {
    const context = await newUserContext(theBrowser(), theApi.baseUrl);
    contexts.push(context);
    return context.newPage();
  };
  return {
    api: theApi,
    browser: theBrowser,
    newPage,
    async signedIn(username, password = TEST_PASSWORD) {
      const page = await signInInBrowser(theBrowser(), theApi.baseUrl, username, password);
      contexts.push(page.context());
      return page;
    },
  };
}

/** The text of a download the page started with `click`, and the name it suggested. */
export async function downloadedText(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const bytes = await fs.promises.readFile((await download.path())!);
  return { name: download.suggestedFilename(), text: bytes.toString('utf8'), bytes };
}

/** The error shown beside a field: its text, and whether the field is marked invalid. */
export async function fieldError(field: Locator): Promise<{ text: string; invalid: string | null }> {
  const id = await field.getAttribute('id');
  const error = field.page().locator(`[id="${id}-error"]`);
  await error.waitFor();
  return { text: (await error.textContent()) ?? '', invalid: await field.getAttribute('aria-invalid') };
}
