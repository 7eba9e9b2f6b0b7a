/**
 * Version of the plugin contract defined in this folder.
 *
 * Compatibility rule (checked by the kernel, never by plugins): a plugin built against `MAJOR.MINOR` loads
 * into a kernel whose API version has the same MAJOR and a MINOR greater than or equal to the plugin's.
 * A new MINOR only adds optional members; anything that breaks an existing plugin bumps MAJOR.
 */
export const PLUGIN_API_VERSION = '1.0';
