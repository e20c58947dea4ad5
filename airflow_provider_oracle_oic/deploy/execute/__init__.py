"""Running a plan: the `applier` starts each step as soon as what it needs is done and journals every
write before sending it (pausing after a canary step watched elsewhere); deploy `hooks` are told before
and after each write; the `audit` trail records every action."""
