"""The Singer side: `target-oracle-oic` on singer-sdk. Thin: records go to the deployment engine."""
