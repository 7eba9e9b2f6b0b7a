import { Scheduler } from '../../scheduler/Scheduler.js';
import { onShutdown, prepareRole, type RoleFlags } from '../bootstrap.js';

/** `d7y scheduler`: runs a scheduler until SIGINT/SIGTERM. */
export async function runScheduler(flags: RoleFlags): Promise<void> {
  const { config, logger, registry, egress, configPath } = await prepareRole('scheduler', flags);
  logger.info({ config: configPath ?? '(defaults)' }, 'starting scheduler');
  const scheduler = new Scheduler(config, registry, logger, { egress });
  onShutdown(() => scheduler.stop(), logger);
  await scheduler.start();
}
