"""Airflow UI plugins of the provider: pages served by the api-server."""
