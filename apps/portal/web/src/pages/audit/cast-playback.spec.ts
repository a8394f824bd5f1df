import { parseCast, playbackTimes, sizeOf } from './cast-playback';

describe('asciicast playback', () => {
  const text = ['{"version":2,"width":90,"height":20,"timestamp":1,"title":"deploy"}', '[0.5,"o","$ "]', '[1.0,"i","ls\\r"]', '[3600.25,"o","done\\r\\n"]', ''].join('\n');

  it('reads the header and the events', () => {
    expect(parseCast(text)).toEqual({
      width: 90,
      height: 20,
      events: [
        { at: 0.5, code: 'o', text: '$ ' },
        { at: 1, code: 'i', text: 'ls\r' },
        { at: 3600.25, code: 'o', text: 'done\r\n' },
      ],
    });
  });

  it('plays an hour of waiting in a second', () => {
    expect(playbackTimes(parseCast(text).events)).toEqual([0.5, 1, 2]);
  });

  it('reads resize events', () => {
    expect(parseCast('{"version":2}\n[1,"r","120x40"]\n').events).toEqual([{ at: 1, code: 'r', text: '120x40' }]);
    expect(sizeOf('120x40')).toEqual({ cols: 120, rows: 40 });
    expect(sizeOf('wide')).toBeUndefined();
  });

  it('refuses what is not asciicast v2', () => {
    expect(() => parseCast('{"version":1}\n')).toThrow('asciicast v2');
  });
});
