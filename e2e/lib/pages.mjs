// Page objects: what a person sees and does, in role-based locators.
import { server } from './env.mjs';

/** `/auth/authorize?…` for the given parameters (undefined ones are left out). */
export function authorizeUrl(params) {
  const url = new URL('/auth/authorize', server().baseUrl);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined) url.searchParams.set(k, v);
  }
  return url.toString();
}

export class ConsentPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole('heading', { level: 1 });
    this.authorizeButton = page.getByRole('button', { name: 'Authorize' });
    this.denyButton = page.getByRole('button', { name: 'Deny' });
    this.switchAccount = page.getByRole('button', { name: /Switch account/ });
    this.scopes = page.getByRole('list').getByRole('listitem');
    this.redirectHost = page.getByTestId('redirect-host');
    this.alert = page.getByRole('alert');
  }

  async goto(params) {
    await this.page.goto(authorizeUrl(params));
  }

  async waitUntilShown() {
    await this.authorizeButton.waitFor();
  }
}

export class LoginPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole('heading', { level: 1 });
    this.email = page.getByLabel('Email');
    this.password = page.getByLabel('Password');
    this.signInButton = page.getByRole('button', { name: 'Sign in' });
    this.createAccountButton = page.getByRole('button', { name: 'Create account' });
    this.createAccountLink = page.getByRole('link', { name: 'Create an account' });
    this.alert = page.getByRole('alert');
  }

  async signIn(email, password) {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.signInButton.click();
  }

  async signUp(email, password) {
    await this.createAccountLink.click();
    await this.createAccountButton.waitFor();
    await this.email.fill(email);
    await this.password.fill(password);
    await this.createAccountButton.click();
  }
}

export class ErrorPage {
  constructor(page) {
    this.page = page;
    this.heading = page.getByRole('heading', { level: 1 });
    this.retry = page.getByRole('button', { name: 'Retry' });
  }

  /** The error screen's title, once one is shown. */
  async title() {
    await this.page.locator('[data-problem]').waitFor();
    return (await this.heading.textContent()).trim();
  }

  async text() {
    return this.page.locator('main').innerText();
  }
}

let users = 0;
/** A new, unique person. */
export function newUser() {
  users += 1;
  return { email: `person${users}.${Date.now()}@example.com`, password: 'correct horse battery staple' };
}

/** Creates an account through the API (signed in inside `context`'s cookie jar). */
export async function signUpViaApi(context, user) {
  const res = await context.request.post(new URL('/api/auth/signup', server().baseUrl).toString(), {
    data: user,
  });
  if (res.status() !== 201) throw new Error(`sign-up failed: ${res.status()} ${await res.text()}`);
}
