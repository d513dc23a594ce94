// The shared set-up of a browser test file: one chromium, one callback
// server standing in for the app's redirect endpoint, and one app registered
// for it. Returns an object whose fields are filled in by `before`.
import { after, before } from 'node:test';
import { generateApp } from './admin.mjs';
import { launch } from './browser.mjs';
import { startCallbackServer } from './callback.mjs';

/** @param {{name: string, description: string, scopes: string[]}} appSpec */
export function suiteWithApp(appSpec) {
  const suite = {};
  before(async () => {
    suite.browser = await launch();
    suite.callback = await startCallbackServer();
    suite.app = await generateApp({ ...appSpec, redirectUris: [suite.callback.url] });
  });
  after(async () => {
    await suite.browser?.close();
    await suite.callback?.close();
  });
  return suite;
}
