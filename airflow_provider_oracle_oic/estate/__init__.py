"""The OIC estate: what is live where, read from the ledgers and OIC, shown in the Airflow UI."""
