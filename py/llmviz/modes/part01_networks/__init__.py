"""Part 1, neural networks: the neuron, MLPs, losses, backpropagation, training dynamics, RNNs."""
