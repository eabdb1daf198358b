"""The package version (written into model files and manifests)."""
__version__ = "0.6.0"
