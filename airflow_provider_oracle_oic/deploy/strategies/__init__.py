"""How a release goes live beyond `rolling`: the steps `blue_green` and `canary` add after the release's
own (`routing`), and a canary promotion of two versions already in OIC (`promotion`). Their writes go
through the applier like any other: journaled, rolled back, restorable."""
