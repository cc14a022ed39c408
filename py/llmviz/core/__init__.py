"""The mode contract: parameters, scenes, palette tokens and the Mode base class."""
from .mode import Mode, Submode
from .params import Choice, Flag, Number, Param, ParamError
from .scene import Scene

__all__ = ["Mode", "Submode", "Choice", "Flag", "Number", "Param", "ParamError", "Scene"]
