/** ListApplications: the priority rules schedulers apply to LEVEL0 downloads. */
import type { managerV2 } from '@d7y/proto';

import type { RpcContext } from './RpcContext.js';
import { applicationToProto } from './toProto.js';
import { hostnameField, ipField, sourceTypeField } from './validateRequest.js';

/** Every application (at most `MAX_FIND_ALL`), by id; an empty list when there are none. */
export async function listApplications(ctx: RpcContext, req: managerV2.ListApplicationsRequest__Output): Promise<managerV2.ListApplicationsResponse> {
  sourceTypeField(req.sourceType, ['SCHEDULER_SOURCE', 'PEER_SOURCE', 'SEED_PEER_SOURCE']);
  hostnameField(req.hostname);
  ipField(req.ip);
  const applications = await ctx.repos.applications.findAll();
  return { applications: applications.map(applicationToProto) };
}
