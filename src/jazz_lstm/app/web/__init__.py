"""The web studio: a thin FastAPI shell over the package's API (see app.py)."""
