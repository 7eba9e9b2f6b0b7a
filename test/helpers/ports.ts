export { freePort, freePorts } from '../../core/src/common/freePort.js';
