"""Running the SOP: one cycle (read -> reconcile -> commit -> write, cycle.py), the loop around it
(loop.py), the leased service that runs it (service.py) over what opening.py opens, publication
after a cycle (publication.py), and why a poll did not run (errors.py)."""
