"""The catalog: real model configurations, hardware and number formats.

Every entry carries the source it was read from. Calculators in
:mod:`llmviz.calc` take either an entry or its name.
"""
from .formats import FORMATS, NumberFormat, get_format
from .hardware import GPUS, INTERCONNECTS, GPU, Interconnect, get_gpu, get_interconnect
from .models import MODELS, ModelConfig, get_model

__all__ = [
    "FORMATS", "NumberFormat", "get_format",
    "GPUS", "INTERCONNECTS", "GPU", "Interconnect", "get_gpu", "get_interconnect",
    "MODELS", "ModelConfig", "get_model",
]
