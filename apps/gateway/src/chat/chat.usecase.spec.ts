import { InvalidChatRequestError } from '../gateway.errors';
import { parseChatRequest } from './chat.usecase';

describe('parseChatRequest', () => {
  it('accepts role/content messages', () => {
    expect(parseChatRequest({ messages: [{ role: 'user', content: 'hi', extra: 1 }] })).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it.each([
    [null, 'messages must be a non-empty array'],
    [{ messages: [] }, 'messages must be a non-empty array'],
    [{ messages: [{ role: 'root', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: 3 }] }, 'messages[0].content'],
    [{ messages: [{ role: 'user', content: 'x' }], stream: true }, 'stream is not supported'],
  ])('rejects %j', (body, message) => {
    expect(() => parseChatRequest(body)).toThrow(InvalidChatRequestError);
    expect(() => parseChatRequest(body)).toThrow(message);
  });
});
