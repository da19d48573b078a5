import type { RuntimeServer } from '../cli/platform.ts';
export const bunServer: RuntimeServer = {
  name: 'bun',
  serve() {
    throw new Error('Bun support is not built yet');
  },
};
