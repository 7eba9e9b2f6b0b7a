import { Manager } from '../../manager/Manager.js';
import { onShutdown, prepareRole, type RoleFlags } from '../bootstrap.js';

/** `d7y manager`: runs a manager until SIGINT/SIGTERM. */
export async function runManager(flags: RoleFlags): Promise<void> {
  const { config, logger, registry, configPath } = await prepareRole('manager', flags);
  logger.info({ config: configPath ?? '(defaults)' }, 'starting manager');
  const manager = new Manager(config, registry, logger);
  onShutdown(() => manager.stop(), logger);
  try {
    await manager.start();
  } catch (error) {
    await manager.stop().catch(() => undefined);
    throw error;
  }
}
