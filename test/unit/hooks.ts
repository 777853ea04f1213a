/** Root hooks for the unit suite (loaded by .mocharc.json). */
import { removeTempDirs } from './helpers';

export const mochaHooks = {
  afterAll(): void {
    removeTempDirs();
  },
};
