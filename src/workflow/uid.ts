/** Unique ids for environments and tasks, in AliECS's format. */
export { newUid } from '../template/functions/index.ts';
