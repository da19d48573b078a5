/** The dashboard page served at `GET /`. */
export function dashboardHtml(basePath: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>tmux-monitor</title></head>
<body><h1>tmux-monitor</h1><p>WebSocket endpoint: <code>${basePath}/monitor</code></p></body></html>`;
}
