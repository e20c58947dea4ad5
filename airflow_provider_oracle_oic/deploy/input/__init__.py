"""From records to specs: each Singer record parsed and checked on its own (`records`, `record_schemas`),
`${VAR}` placeholders filled (`placeholders`), archives and files read only inside `archive_directory`
(`sources`, `file_checks`), connection properties checked against OIC's adapter catalogue
(`connection_checks`). Everything found wrong becomes an `Issue`, before any write."""
