// Where cloudya keeps its data: ~/.cloudya, or $CLOUDYA_HOME.
export { cloudyaHome } from '../engine/config.js';
