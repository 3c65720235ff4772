/** The lifecycle fields of an alert opened at `at` (an incident's or a policy document's): new, nothing done yet. */
export function openedLifecycle(at: string) {
  return {
    state: "new" as const,
    stateChangedAt: at,
    openedAt: at,
    raisedAt: at,
    reraiseCount: 0,
    volumeAtDismissal: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    respondedAt: null,
    closedAt: null,
    dismissedAt: null,
    dismissReason: null,
    mergedInto: null,
  };
}
