import { loadConfig } from '../../config/index.js';
import { formatPluginReport, inspectPlugins, pluginDirSlots } from '../../kernel/index.js';
import { pluginDirOf, rolePluginConfig } from '../bootstrap.js';
import { parseRole } from './configCheck.js';

/** Prints what a role would load (kind, name, version, where from) and why anything was refused. Exit 1 if refused. */
export async function pluginsCommand(flags: { role?: string; config?: string; pluginDir?: string }): Promise<void> {
  const role = parseRole(flags.role);
  const { config } = await loadConfig(role, { path: flags.config });
  const pluginDir = flags.pluginDir ?? pluginDirOf(role, config);
  const algorithm = (config as { scheduler?: { algorithm?: string } }).scheduler?.algorithm;
  const report = await inspectPlugins({
    role,
    slots: pluginDirSlots(role, pluginDir, { algorithm }),
    pluginConfig: rolePluginConfig(role, config),
  });
  process.stdout.write(`${role} plugins (pluginDir: ${pluginDir ?? 'none'})\n`);
  process.stdout.write(`${formatPluginReport(report)}\n`);
  if (report.refused.length > 0) process.exitCode = 1;
}
