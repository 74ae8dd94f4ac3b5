/** The template function library as the workflow engine uses it (one factory per plan). */
import type { ConfigSource } from '../common/config-source.ts';
import { createFunctionLibrary } from '../template/functions/index.ts';
import type { LibraryFactory } from './render.ts';

export function createLibraryFactory(deps: { config?: ConfigSource; newUid: () => string }): LibraryFactory {
  return createFunctionLibrary({ ...deps, configErrors: 'inline' });
}
