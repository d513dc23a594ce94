// What every screen must pass: no serious/critical axe findings, nothing the
// page complained about (CSP blocks, script errors), and a screenshot.
import assert from 'node:assert/strict';
import { screenshot, seriousA11yViolations } from './browser.mjs';

export async function checkScreen(page, name) {
  await screenshot(page, name);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const violations = await seriousA11yViolations(page);
    assert.deepEqual(violations, [], `accessibility of ${name} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  assert.deepEqual(page.problems, [], `console/page errors on ${name}`);
}
