/** `configs`: named manager settings (e.g. `gc`), as Dragonfly's `Config` model. */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import { Table } from './Table.js';

/** A config row. */
export interface ConfigRecord extends BaseRecord {
  readonly name: string;
  readonly value: string;
  readonly bio: string;
  readonly user_id: number;
}

/** Filters of `GET /api/v1/configs`. */
export type ConfigFilter = 'name' | 'value' | 'user_id';

/** Longest config value accepted. */
export const MAX_CONFIG_VALUE = 64 * 1024;

/** CRUD for configs. */
export class ConfigRepository extends Table<ConfigRecord, ConfigFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'configs',
      noun: 'config',
      fields: {
        name: field.string(256),
        value: field.string(MAX_CONFIG_VALUE),
        bio: field.string(1024),
        user_id: field.int(0),
      },
      filters: ['name', 'value', 'user_id'],
    });
  }

  /** Creates a config; `name` is required and unique among live configs. */
  override async create(input: Partial<Omit<ConfigRecord, keyof BaseRecord>>): Promise<ConfigRecord> {
    if (!input.name) throw createError(ErrorCodes.INVALID_ARGUMENT, 'name: required', { details: { field: 'name' } });
    return super.create(input);
  }

  /** The live config named `name`. */
  async byName(name: string): Promise<ConfigRecord | undefined> {
    return this.findOne({ name });
  }
}
