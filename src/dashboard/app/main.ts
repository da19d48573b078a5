/** The dashboard's browser entry point (bundled by scripts/build-dashboard.mjs). */
import { DashboardApp } from './app.ts';
import { storedToken, takeTokenFromFragment } from './auth.ts';

const root = document.getElementById('app');
if (root) {
  const app = new DashboardApp(root);
  // A notification's link names a pane (`#session=…&pane=%3`): open it, reply box focused.
  const link = new URLSearchParams(location.hash.slice(1));
  const linkedPane = link.get('pane');
  app.connect(takeTokenFromFragment() ?? storedToken());
  if (linkedPane) app.openFromLink(linkedPane, link.get('host') ?? undefined);
  // A new `#token=…` pasted into this tab's address bar does not reload the page.
  window.addEventListener('hashchange', () => {
    const token = takeTokenFromFragment();
    if (token) app.connect(token);
  });
}
