import { toJsonSchema } from '@valibot/to-json-schema';
import { ClientMessageSchema, FiltersSchema } from './schemas.ts';

/** The inbound message schemas as JSON Schema, for other people's tools (`GET /schema.json`). */
export function clientMessageJsonSchema(): Record<string, unknown> {
  const options = { errorMode: 'ignore' } as const;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'tmux-monitor client message (protocol v1)',
    ...toJsonSchema(ClientMessageSchema, options),
    definitions: { filters: toJsonSchema(FiltersSchema, options) },
  };
}
