"""Getting back to where OIC was: `rollback` undoes a run's writes newest first (reading OIC before each,
then checking every artifact against its pre-run state), `restore` puts a past run back from its
journal and backups, `drift` compares the ledger with OIC to find what changed behind the tool's back."""
