"""Deploy Oracle Integration Cloud artifacts from Airflow and Singer."""

__version__ = "0.1.0"
