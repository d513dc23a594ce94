// What every screen must pass: no serious/critical axe findings, nothing the
// page complained about (CSP blocks, script errors), and a screenshot.
import assert from 'node:assert/strict';
import { screenshot, seriousA11yViolations } from './browser.mjs';

export async function checkScreen(page, name) {
  await screenshot(page, name);
  const violations = await seriousA11yViolations(page);
  assert.deepEqual(violations, [], `accessibility of ${name}`);
  assert.deepEqual(page.problems, [], `console/page errors on ${name}`);
}
