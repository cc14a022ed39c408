"""Which modes exist: mode id → where its class lives.

Imports are lazy, so the browser imports only the mode a reader opens (a
chapter switch costs one module import, not the whole book).
"""
from __future__ import annotations

import importlib

from .core.mode import Mode

# Mode id (= chapter id) → "module:Class". One line per chapter, in book order.
MODE_PATHS: dict[str, str] = {
    "p00-c01-notation": "llmviz.modes.part00_math.notation:NotationMode",
    "p00-c02-functions": "llmviz.modes.part00_math.functions:FunctionsMode",
    "p00-c03-vectors": "llmviz.modes.part00_math.vectors:VectorsMode",
    "p00-c04-matrices": "llmviz.modes.part00_math.matrices:MatricesMode",
    "p00-c05-derivatives": "llmviz.modes.part00_math.derivatives:DerivativesMode",
    "p00-c06-entropy": "llmviz.modes.part00_math.entropy:EntropyMode",
    "p00-c07-optimizers": "llmviz.modes.part00_math.optimizers:OptimizersMode",
    "p01-c01-neuron": "llmviz.modes.part01_networks.neuron:NeuronMode",
    "p01-c02-mlp": "llmviz.modes.part01_networks.mlp:MLPMode",
    "p01-c03-losses": "llmviz.modes.part01_networks.losses:LossesMode",
    "p01-c04-backprop": "llmviz.modes.part01_networks.backprop:BackpropMode",
    "p01-c05-training": "llmviz.modes.part01_networks.training:TrainingMode",
    "p01-c06-rnn": "llmviz.modes.part01_networks.rnn:RNNMode",
    "p02-c01-tokenization": "llmviz.modes.part02_transformer.tokenization:TokenizationMode",
    "p02-c02-embeddings": "llmviz.modes.part02_transformer.embeddings:EmbeddingsMode",
    "p02-c03-positions": "llmviz.modes.part02_transformer.positions:PositionsMode",
    "p02-c04-attention": "llmviz.modes.part02_transformer.attention:AttentionMode",
    "p02-c05-multihead": "llmviz.modes.part02_transformer.multihead:MultiHeadMode",
    "p02-c07-sampling": "llmviz.modes.part02_transformer.sampling:SamplingMode",
    "p02-c08-scaling-laws": "llmviz.modes.part02_transformer.scaling_laws:ScalingLawsMode",
    "p05-c02-kv-cache": "llmviz.modes.part05_inference.kv_cache:KVCacheMode",
    "p07-c01-continuous-batching": "llmviz.modes.part07_serving.continuous_batching:ContinuousBatchingMode",
}


def mode_ids() -> list[str]:
    """Every registered mode id, in book order."""
    return list(MODE_PATHS)


def get_mode_class(mode_id: str) -> type[Mode]:
    """The class registered as ``mode_id``; ``ValueError`` naming the known ids otherwise."""
    try:
        path = MODE_PATHS[mode_id]
    except KeyError:
        raise ValueError(f"unknown mode {mode_id!r}; known modes: {', '.join(MODE_PATHS)}") from None
    module, cls = path.split(":")
    return getattr(importlib.import_module(module), cls)
