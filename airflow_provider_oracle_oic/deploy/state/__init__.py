"""What outlives a run: the ledger of what was deployed (fingerprints, keyed HMACs of secrets), the
write-ahead journal (each undo durable before its write is sent) with the backups it points to, and the
lock that keeps two runs off one ledger. Files for the CLI; Airflow Variables through the same protocols."""
