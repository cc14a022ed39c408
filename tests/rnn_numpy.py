"""The RNN workshop's network rebuilt in numpy: the oracle its mode test and its chapter's answer test share.

Only the inputs come from the mode (the seeded weights before scaling, the
word vectors, the passage and the loss direction); every state, Jacobian
product, BPTT gradient and step is numpy's own.
"""
import numpy as np

from llmviz.modes.part01_networks.rnn import D, LR, PASSAGE, T_GRAD, base_weights, loss_direction, word_vector


def np_net(rho):
    """W_h scaled to spectral radius ``rho`` by numpy's eigenvalues, W_x and b."""
    w0, wx, b = (np.array(a) for a in base_weights())
    return w0 * rho / max(abs(np.linalg.eigvals(w0))), wx, b


def np_states(rho, words):
    """h_0 = 0, h_1, … after each of ``words``."""
    w_h, wx, b = np_net(rho)
    h = np.zeros(D)
    out = [h]
    for w in words:
        h = np.tanh(w_h @ h + wx @ np.array(word_vector(w)) + b)
        out.append(h)
    return out


def np_story(rho, clip=1.0):
    """What the gradient views show, for L = u·h_T over the passage.

    Returns a dict: ``norms`` (‖∂h_T/∂h_{T−k}‖₂ for k = 0 … T), ``partial``
    (‖∂L/∂W_h‖ summed over the last k steps), ``grad`` (the full gradient),
    ``w_h``, ``hs`` (the states), ``rho_raw`` and ``rho_clip`` (W_h's spectral
    radius after one step with learning rate LR, raw and clipped at ``clip``).
    """
    w_h, _, _ = np_net(rho)
    hs = np_states(rho, PASSAGE[:T_GRAD])
    p, g, grad = np.eye(D), np.array(loss_direction()), np.zeros((D, D))
    norms, partial = [1.0], [0.0]
    for t in range(T_GRAD, 0, -1):
        p = p @ (np.diag(1 - hs[t] ** 2) @ w_h)
        norms.append(np.linalg.norm(p, 2))
        delta = (1 - hs[t] ** 2) * g
        grad += np.outer(delta, hs[t - 1])
        partial.append(np.linalg.norm(grad))
        g = w_h.T @ delta
    n = np.linalg.norm(grad)
    clipped = grad * min(1.0, clip / n)
    return {"norms": norms, "partial": partial, "grad": grad, "w_h": w_h, "hs": hs,
            "rho_raw": max(abs(np.linalg.eigvals(w_h - LR * grad))),
            "rho_clip": max(abs(np.linalg.eigvals(w_h - LR * clipped)))}
