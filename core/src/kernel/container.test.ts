import { describe, expect, it } from 'vitest';
import { createContainer, toPluginContainer } from './container.js';

describe('createContainer / toPluginContainer', () => {
  it('calls a factory once per registration, on first resolve, with the resolving container', () => {
    const host = toPluginContainer(createContainer());
    let calls = 0;
    host.register('dep', { useValue: 41 });
    host.register('answer', { useFactory: (c) => ({ value: c.resolve<number>('dep') + 1, n: ++calls }) });
    expect(calls).toBe(0);
    const first = host.resolve<{ value: number }>('answer');
    expect(first.value).toBe(42);
    expect(host.resolve('answer')).toBe(first);
    expect(calls).toBe(1);
  });

  it('resolves from parents, and isRegistered looks at parents', () => {
    const root = createContainer();
    const child = root.createChildContainer();
    toPluginContainer(root).register(Symbol.for('d7y.test.token'), { useValue: 'from-root' });
    const plugin = toPluginContainer(child);
    expect(plugin.isRegistered(Symbol.for('d7y.test.token'))).toBe(true);
    expect(plugin.resolve(Symbol.for('d7y.test.token'))).toBe('from-root');
  });

  it('throws a D7Y_ERR_NOT_FOUND coded error for unknown tokens', () => {
    const c = toPluginContainer(createContainer());
    expect(c.isRegistered('nope')).toBe(false);
    expect(() => c.resolve(Symbol.for('d7y.test.missing'))).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND', message: 'nothing is registered for token d7y.test.missing' }),
    );
  });

  it('keeps each process container separate (nothing lands in a shared parent)', () => {
    toPluginContainer(createContainer()).register('d7y.test.isolated', { useValue: 1 });
    expect(toPluginContainer(createContainer()).isRegistered('d7y.test.isolated')).toBe(false);
  });

  it('rejects a provider without a value or a factory function', () => {
    const c = toPluginContainer(createContainer());
    expect(() => c.register('bad', { useFactory: 'nope' } as never)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_ARGUMENT' }));
  });
});
