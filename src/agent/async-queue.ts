/** The agent's stream queue is the shared one (it implements `throw`, which Connect requires of request streams). */
export { AsyncQueue } from '../common/async-queue.ts';
