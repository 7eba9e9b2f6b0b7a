/** `applications`: named download priorities (ListApplications hands them to schedulers). */
import { createError, ErrorCodes } from '../../common/errors.js';
import type { SqlSession } from '../../plugin-api/database/DatabaseDriver.js';
import type { BaseRecord } from './BaseRecord.js';
import { field } from './fieldSpec.js';
import { type ApplicationPriority, validatePriority } from './jsonShapes.js';
import { Table } from './Table.js';

/** An application, as Dragonfly's `Application` model serialises it. */
export interface ApplicationRecord extends BaseRecord {
  readonly name: string;
  readonly url: string;
  readonly bio: string;
  readonly priority: ApplicationPriority;
  readonly user_id: number;
}

/** Filters of `GET /api/v1/applications`. */
export type ApplicationFilter = 'name' | 'user_id';

/** CRUD for applications. */
export class ApplicationRepository extends Table<ApplicationRecord, ApplicationFilter> {
  constructor(session: SqlSession) {
    super(session, {
      table: 'applications',
      noun: 'application',
      fields: {
        name: field.string(256),
        url: field.string(1024),
        bio: field.string(1024),
        priority: field.json(() => ({ value: 0 }), validatePriority),
        user_id: field.int(0),
      },
      filters: ['name', 'user_id'],
    });
  }

  /** Creates an application; `name` is required and unique among live applications. */
  override async create(input: Partial<Omit<ApplicationRecord, keyof BaseRecord>>): Promise<ApplicationRecord> {
    if (!input.name) throw createError(ErrorCodes.INVALID_ARGUMENT, 'name: required', { details: { field: 'name' } });
    return super.create(input);
  }
}
