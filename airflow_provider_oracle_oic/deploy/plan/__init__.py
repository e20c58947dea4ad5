"""What OIC holds and what to do about it: `observe` reads what a run compares against (bounded),
`validation` checks the input against it, `planner` decides one action and reason per artifact (the
import_mode by conflict_resolution table), `dependencies` orders the steps, `saved_plan` writes a plan
and compares a saved one with today's step by step."""
