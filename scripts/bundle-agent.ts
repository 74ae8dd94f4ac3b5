/** `npm run build` step: writes the bundled agent, dist/axle-agent.mjs (what engines run when it exists). */
import { AGENT_BUNDLE } from '../src/engine/agent-entry.ts';
import { bundleAgent } from '../src/engine/agent-bundle.ts';

await bundleAgent(AGENT_BUNDLE);
