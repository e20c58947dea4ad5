"""Release folders kept in Git: OIC's own files plus an optional `release.yaml` (docs/release-folder.md)."""
