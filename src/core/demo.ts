/** The demo data generator, for the CLI's developer command `generate` (adapters reach the layers below through the core). */
export { ALL_FORMATS, generate } from '../demo/generator';
export type { GeneratedFormat } from '../demo/generator';
