import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../src/protocol/parse.ts';

describe('parseClientMessage', () => {
  it('accepts a valid message', () => {
    expect(parseClientMessage('{"action":"ping","id":7}')).toEqual({ ok: true, message: { action: 'ping', id: 7 } });
    const result = parseClientMessage('{"action":"snapshot","lines":2000,"target":{"session":"a"}}');
    expect(result.ok && result.message.action).toBe('snapshot');
  });

  it.each([
    ['not json', 'INVALID_JSON', undefined],
    ['[1,2]', 'INVALID_MESSAGE', undefined],
    ['"text"', 'INVALID_MESSAGE', undefined],
    ['null', 'INVALID_MESSAGE', undefined],
    ['{"id":"a"}', 'INVALID_MESSAGE', 'a'],
    ['{"action":5,"id":3}', 'INVALID_MESSAGE', 3],
    ['{"action":"fly","id":"b"}', 'UNKNOWN_ACTION', 'b'],
    ['{"action":"snapshot","lines":2001,"id":"c"}', 'INVALID_MESSAGE', 'c'],
    ['{"action":"auth","id":{"x":1}}', 'INVALID_MESSAGE', undefined],
    [`{"action":"ping","id":"${'x'.repeat(65)}"}`, 'INVALID_MESSAGE', undefined],
  ])('refuses %s with %s (id %s)', (text, code, id) => {
    const result = parseClientMessage(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.id).toBe(id);
    expect(result.message).toBeTruthy();
  });

  it('names the invalid fields in details', () => {
    const result = parseClientMessage('{"action":"command","target":{},"command":"send"}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('session') })]));
  });
});
