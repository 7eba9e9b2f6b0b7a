import { describe, expect, it } from 'vitest';

import { validateClientConfig } from './jsonShapes.js';

describe('client_config validation', () => {
  it('accepts a download block list in Dragonfly shape', () => {
    expect(() =>
      validateClientConfig({ load_limit: 50, block_list: { task: { download: { urls: ['^https://x\\.'], applications: ['a'], tags: ['t'], priorities: [0, 1] } } } }, 'client_config'),
    ).not.toThrow();
  });

  it.each([
    [{ block_list: { task: { download: { urls: ['('] } } } }, 'client_config.block_list.task.download.urls[0]'],
    [{ block_list: { task: { download: { priorities: [7] } } } }, 'client_config.block_list.task.download.priorities[0]'],
    [{ block_list: { task: { download: { tags: [''] } } } }, 'client_config.block_list.task.download.tags[0]'],
    [{ block_list: { task: { upload: {} } } }, 'client_config.block_list.task.upload'],
    [{ block_list: [] }, 'client_config.block_list'],
  ])('refuses %j naming %s', (value, field) => {
    expect(() => validateClientConfig(value, 'client_config')).toThrow(expect.objectContaining({ message: expect.stringContaining(field) }));
  });
});
