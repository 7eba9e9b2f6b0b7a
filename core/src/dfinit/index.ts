export { applyPlan, readIfExists, type FileChange, type PlannedFile } from './plan.js';
export { containerdPlan, DEFAULT_HOSTS_DIR } from './containerd.js';
export { podmanPlan, DEFAULT_REGISTRIES_CONF } from './podman.js';
export { dockerPlan, DEFAULT_DOCKER_DROPIN, DEFAULT_TRUST_FILE } from './docker.js';
export { parseProxyUrl, parseRegistryTarget, type RegistryTarget } from './registry.js';
