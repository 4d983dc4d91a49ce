"""Distance to target, probability of attainment and what it would take."""
from importlib.metadata import version as _version

__version__ = _version("xmforecast")
__all__ = ["__version__"]
