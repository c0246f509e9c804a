export { main } from './main.js';
export { pluginSpecs } from './plugin-specs.js';
export { BUNDLED_PLUGINS } from './bundled.js';
