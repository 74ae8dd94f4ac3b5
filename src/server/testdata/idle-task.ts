/** Test task: a direct-mode OCC task that does nothing in any state (tests kill it to make it crash). */
import { runOccTask } from '../../occ/task-sdk.ts';

await runOccTask({});
