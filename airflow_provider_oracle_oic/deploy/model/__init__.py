"""The engine's vocabulary, shared by every room: what a record asks for (`specs`), how a run is set up
(`settings`, every setting declared once in `setting_specs`), what went wrong before a write (`issues`),
what a run did (`result`), run ids, and a canary's watch, health bar and report (`canary`). Nothing here
talks to OIC."""
