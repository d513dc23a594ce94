// Debian's chromium, driven by playwright-core. Never downloads a browser.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, screenshotDir } from './env.mjs';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export async function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A fresh context (own cookies) and page, recording anything the page
 * complains about: CSP violations, script errors, failed requests.
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  // Everything here answers in milliseconds; fail fast rather than at 30 s.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|403|404|400)/.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.problems = problems;
  return { context, page };
}

/** Runs axe-core in the page; returns violations of serious or critical impact. */
export async function seriousA11yViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (rightly)
  // does not govern: the page itself still allows no inline script.
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Saves full-page screenshots as e2e/screenshots/<name>.png, <name>-dark.png
 * and <name>-phone.png. Reduced motion turns colour transitions off, so the
 * dark picture is not caught half-way.
 */
export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = (suffix) => path.join(screenshotDir, `${name}${suffix}.png`);
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.screenshot({ path: file(''), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  await page.screenshot({ path: file('-dark'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: file('-phone'), fullPage: true });
  await page.setViewportSize(viewport);
}
