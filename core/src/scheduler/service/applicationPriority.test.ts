import type { managerV2 } from '@d7y/proto';
import { describe, expect, it } from 'vitest';

import { effectivePriority } from './applicationPriority.js';

const app = (name: string, priority?: managerV2.Application__Output['priority']) => ({ id: '1', name, url: '', bio: '', priority: priority ?? null }) as managerV2.Application__Output;

describe('effectivePriority (Dragonfly CalculatePriority)', () => {
  const apps = [
    app('models', { value: 'LEVEL3', urls: [{ regex: '^https://hub\\.example/private/', value: 'LEVEL1' }, { regex: '\\.onnx$', value: 'LEVEL2' }] }),
    app('plain'),
    app('bad-rule', { value: 'LEVEL4', urls: [{ regex: '(', value: 'LEVEL1' }] }),
  ];

  it('keeps any priority other than LEVEL0', () => {
    expect(effectivePriority('LEVEL6', { application: 'models', url: 'https://hub.example/private/x' }, apps)).toBe('LEVEL6');
    expect(effectivePriority('LEVEL2', { application: 'models', url: 'https://x' }, apps)).toBe('LEVEL2');
  });

  it('a LEVEL0 download takes the first matching url rule, else the application value', () => {
    expect(effectivePriority('LEVEL0', { application: 'models', url: 'https://hub.example/private/m.onnx' }, apps)).toBe('LEVEL1');
    expect(effectivePriority('LEVEL0', { application: 'models', url: 'https://cdn.example/m.onnx' }, apps)).toBe('LEVEL2');
    expect(effectivePriority('LEVEL0', { application: 'models', url: 'https://cdn.example/m.bin' }, apps)).toBe('LEVEL3');
  });

  it('stays LEVEL0 without an application, an unknown one, one without priority, or no manager', () => {
    expect(effectivePriority('LEVEL0', { url: 'https://cdn.example/m.bin' }, apps)).toBe('LEVEL0');
    expect(effectivePriority('LEVEL0', { application: 'other', url: 'https://cdn.example/m.bin' }, apps)).toBe('LEVEL0');
    expect(effectivePriority('LEVEL0', { application: 'plain', url: 'https://cdn.example/m.bin' }, apps)).toBe('LEVEL0');
    expect(effectivePriority('LEVEL0', { application: 'models', url: 'https://cdn.example/m.bin' }, [])).toBe('LEVEL0');
  });

  it('an invalid rule regex matches nothing', () => {
    expect(effectivePriority('LEVEL0', { application: 'bad-rule', url: '(' }, apps)).toBe('LEVEL4');
  });
});
