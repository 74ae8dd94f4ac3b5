/** Test task: a direct-mode OCC task whose CONFIGURE never finishes (for transition timeout tests). */
import { runOccTask } from '../../occ/task-sdk.ts';

await runOccTask({
  configure: () => new Promise<void>(() => undefined),
});
