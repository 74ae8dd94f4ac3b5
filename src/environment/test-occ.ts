/** The OCC direct table for the test controller (kept here so environment tests need no occ layer). */
const TABLE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  STANDBY: { CONFIGURE: 'CONFIGURED', EXIT: 'DONE' },
  CONFIGURED: { START: 'RUNNING', RESET: 'STANDBY', EXIT: 'DONE' },
  RUNNING: { STOP: 'CONFIGURED' },
  ERROR: { RECOVER: 'STANDBY', EXIT: 'DONE' },
};

export function nextEventState(state: string, event: string): string | undefined {
  return TABLE[state]?.[event];
}
