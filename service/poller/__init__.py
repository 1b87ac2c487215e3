"""Running the SOP: one cycle (read -> reconcile -> commit -> write), the loop around it,
and the wiring that builds backend, store and rules from a workspace."""
