/** Server side of `d7y.manager.v2.Jobs`: the schedulers' long poll and outcome reports, over the job service. */
import { Metadata, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';

import { toServiceError } from '../../common/errors.js';
import type { Logger } from '../../plugin-api/Logger.js';
import type { ReportJobTaskRequest, TakeJobTaskRequest } from '../../common/jobs/protocol.js';
import type { JobService } from './JobService.js';

/** The handlers of the Jobs service. */
export function jobsRpcHandlers(jobs: JobService, logger: Logger): UntypedServiceImplementation {
  const unary =
    <Req>(name: string, run: (request: Req) => Promise<unknown>) =>
    (call: ServerUnaryCall<Req, unknown>, callback: sendUnaryData<unknown>) => {
      run(call.request).then(
        (response) => callback(null, response),
        (error: unknown) => {
          logger.debug({ rpc: name, err: error }, 'jobs rpc failed');
          callback(toServiceError(error, () => new Metadata()) as Parameters<sendUnaryData<unknown>>[0]);
        },
      );
    };
  return {
    TakeJobTask: unary<TakeJobTaskRequest>('TakeJobTask', (request) => jobs.take(request)),
    ReportJobTask: unary<ReportJobTaskRequest>('ReportJobTask', async (request) => {
      await jobs.report(request);
      return {};
    }),
  };
}
