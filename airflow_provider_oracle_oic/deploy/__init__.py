"""The deployment engine: records → typed specs → validation → plan → apply. No Airflow, no singer-sdk."""
