import type { RuntimeServer } from '../cli/platform.ts';
export const denoServer: RuntimeServer = {
  name: 'deno',
  serve() {
    throw new Error('Deno support is not built yet');
  },
};
