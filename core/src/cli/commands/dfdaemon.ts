import { Dfdaemon } from '../../dfdaemon/Dfdaemon.js';
import { onShutdown, prepareRole, type RoleFlags } from '../bootstrap.js';

/** `dfdaemon` / `d7y dfdaemon`: runs a peer (a seed peer with `seedPeer.enable: true`) until SIGINT/SIGTERM. */
export async function runDfdaemon(flags: RoleFlags): Promise<void> {
  const { config, logger, registry, configPath } = await prepareRole('dfdaemon', flags);
  logger.info({ config: configPath ?? '(defaults)' }, 'starting dfdaemon');
  const daemon = new Dfdaemon(config, registry, logger);
  onShutdown(() => daemon.stop(), logger);
  await daemon.start();
}
