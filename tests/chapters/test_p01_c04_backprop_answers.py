"""Chapter p01-c04's answers against independent oracles: closed forms, numpy arithmetic, and Llama 3 8B's config."""
import math

import numpy as np
import pytest

from llmviz.answers import answers_for

A = answers_for("p01-c04-backprop")

# the chapter's neuron, written out again
X, W, B, Y = 1.5, 0.8, -2.0, 1.0
LAM = 0.1
# Llama 3 8B, config.json of meta-llama/Meta-Llama-3-8B
LAYERS, D, KV, FFN, VOCAB = 32, 4096, 1024, 14336, 128256
# Meta's model card gives 8.03B parameters; the config's shapes give exactly this many
LLAMA_PARAMS = VOCAB * D * 2 + LAYERS * (2 * D * D + 2 * D * KV + 3 * D * FFN + 2 * D) + D


def val(name):
    return A[name]().value


def text(name):
    return A[name]().text


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss(w, x=X, b=B, y=Y):
    q = sig(w * x + b)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def test_the_neurons_numbers_are_closed_forms():
    q = sig(W * X + B)
    assert val("q") == pytest.approx(q) and text("q") == "0.310"
    assert val("loss") == pytest.approx(-np.log(q))
    assert val("local_bce") == pytest.approx(-1 / q)
    assert val("local_sig") == pytest.approx(q * (1 - q))
    assert val("g_q") == pytest.approx(-1 / q)
    assert val("g_z") == pytest.approx(q - 1)
    assert val("g_b") == pytest.approx(q - 1)
    assert val("g_w") == pytest.approx((q - 1) * X)
    assert val("g_x") == pytest.approx((q - 1) * W)
    assert val("n_forward") == 4 and val("n_products") == 6
    assert val("y0_g_z") == pytest.approx(q) and val("y0_g_w") == pytest.approx(q * X)


def test_the_fork_adds_the_penalty_path():
    q = sig(W * X + B)
    assert val("lam") == LAM
    assert val("fork_r") == pytest.approx(0.5 * LAM * W ** 2)
    assert val("fork_j") == pytest.approx(-np.log(q) + 0.5 * LAM * W ** 2)
    assert val("fork_decay_part") == pytest.approx(LAM * W)
    assert val("fork_g_w") == pytest.approx(LAM * W + X * (q - 1))
    assert val("fork_products") == 9
    # exercise 3: the λ at which the two paths cancel
    assert val("ex3_lambda") == pytest.approx(-X * (q - 1) / W)
    assert val("ex3_lambda") * W + X * (q - 1) == pytest.approx(0, abs=1e-12)


def test_classifier_flops_are_10_16_and_20_bh():
    b, h = 6, 4
    assert val("mat_fwd") == 10 * b * h == 240
    assert val("mat_bwd") == 16 * b * h
    assert val("mat_bwd_dx") == 20 * b * h
    assert val("mat_ratio") == pytest.approx(1.6)


def test_training_the_classifier_cuts_its_loss():
    """The classifier's losses before and after training, by numpy's own passes and updates.

    The data and starting weights are the simulation's (its problem, not its
    arithmetic); the forward pass, the gradients and the 100 steps are numpy's.
    """
    from llmviz.modes.part01_networks.backprop import LR, classifier_data, classifier_init
    X_, labels = classifier_data(6)
    X_, Y_ = np.array(X_), np.eye(3)[labels]
    W1, b1, W2, b2 = (np.array(a, dtype=float) for a in classifier_init(4))

    def passes(W1, b1, W2, b2):
        Z1 = X_ @ W1 + b1
        H = np.maximum(Z1, 0)
        S = H @ W2 + b2
        P = np.exp(S - S.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        dS = (P - Y_) / len(X_)
        dZ1 = (dS @ W2.T) * (Z1 > 0)
        loss = -np.mean(np.log(P[Y_ == 1]))
        return loss, (X_.T @ dZ1, dZ1.sum(0), H.T @ dS, dS.sum(0))

    losses = []
    for _ in range(101):
        loss, grads = passes(W1, b1, W2, b2)
        losses.append(loss)
        W1, b1, W2, b2 = (p - LR * g for p, g in zip((W1, b1, W2, b2), grads))
    assert val("train_steps") == 100
    assert val("train_loss0") == pytest.approx(losses[0], rel=1e-9)
    assert val("train_loss_end") == pytest.approx(losses[100], rel=1e-6)
    assert text("train_loss0") == f"{losses[0]:.3f} nats" and text("train_loss_end") == f"{losses[100]:.3f} nats"


def test_llama_numbers_from_the_config():
    fwd = 2 * (LAYERS * (2 * D * D + 2 * D * KV + 3 * D * FFN) + D * VOCAB)
    assert val("model_fwd") == fwd and val("model_bwd") == 2 * fwd and val("model_step") == 3 * fwd
    assert val("tokens0") == 2048
    assert val("q_fwd") == 2 * 2048 * D * D and val("q_bwd") == 4 * 2048 * D * D
    assert text("q_fwd") == "68.7 GFLOP"
    assert val("llama_params") == LLAMA_PARAMS and text("llama_params") == "8.03 B"
    assert val("llama_vocab") == VOCAB and val("llama_hidden") == D
    # exercise 6: 6N against the matrices, the gap is six times the parameters no product uses
    assert val("six_n") == 6 * LLAMA_PARAMS
    unused = VOCAB * D + (2 * LAYERS + 1) * D
    assert val("unmultiplied_params") == unused
    assert val("six_n_gap") == 6 * unused
    # exercise 5: the down matrix on 4,096 tokens
    assert val("ex5_fwd") == 2 * 4096 * 4096 * FFN and val("ex5_total") == 3 * val("ex5_fwd")


def test_digit_classifier_exercises():
    b, d, h, c = 32, 784, 256, 10
    fwd = 2 * b * d * h + 2 * b * h * c
    bwd = 2 * h * b * c + 2 * b * c * h + 2 * d * b * h
    assert val("ex4_fwd") == fwd == 13_008_896
    assert val("ex4_first") == 2 * b * d * h
    assert val("ex4_bwd") == bwd and val("ex4_ratio") == pytest.approx(bwd / fwd)
    assert val("ex4_bwd_dx") == 2 * fwd
    params = d * h + h + h * c + c
    assert val("ex9_params") == params == 203_530 and val("ex9_passes") == 2 * params
    assert val("ex9_fd_flops") == 2 * params * fwd
    assert val("ex9_bp_flops") == fwd + bwd
    assert val("ex9_ratio") == pytest.approx(2 * params * fwd / (fwd + bwd))


def test_graph_exercises_by_hand():
    # exercise 1: x = 2, w = −0.5, b = 0.5, label 0
    q = sig(-0.5)
    assert val("ex1_q") == pytest.approx(q) and val("ex1_loss") == pytest.approx(-np.log(1 - q))
    assert val("ex1_g_q") == pytest.approx(1 / (1 - q))
    assert val("ex1_g_z") == pytest.approx(q) and val("ex1_g_b") == pytest.approx(q)
    assert val("ex1_g_w") == pytest.approx(2 * q) and val("ex1_g_x") == pytest.approx(-0.5 * q)
    # exercise 2: f = (a + b)c and g = (a + b)a at a = 2, b = −1, c = 3
    a, b, c = 2, -1, 3
    assert (val("ex2_f"), val("ex2_da"), val("ex2_db"), val("ex2_dc")) == ((a + b) * c, c, c, a + b)
    assert (val("ex2_g"), val("ex2_g_da"), val("ex2_g_db")) == ((a + b) * a, 2 * a + b, a)


def test_secant_errors_are_numpys():
    g = (sig(W * X + B) - 1) * X
    for name, h, central in (("err_c_2", 1e-2, True), ("err_o_2", 1e-2, False), ("ex7_c_3", 1e-3, True),
                             ("ex7_o_3", 1e-3, False)):
        est = (loss(W + h) - loss(W - h)) / (2 * h) if central else (loss(W + h) - loss(W)) / h
        assert val(name) == pytest.approx(abs(est - g), rel=1e-5), name
    assert val("ex7_c_ratio") == pytest.approx(100, rel=0.01)
    assert val("ex7_o_ratio") == pytest.approx(10, rel=0.01)


def test_round_off_numbers_are_the_formats():
    u64, u32 = np.finfo(np.float64).eps / 2, np.finfo(np.float32).eps / 2
    assert val("u64") == u64 and val("u32") == u32
    q = sig(W * X + B)
    third = X ** 3 * q * (1 - q) * (1 - 2 * q)
    # the third derivative, against a numpy secant of the second derivative x²q(1 − q)
    second = lambda w: X ** 2 * sig(w * X + B) * (1 - sig(w * X + B))   # noqa: E731
    assert val("l3") == pytest.approx((second(W + 1e-5) - second(W - 1e-5)) / 2e-5, rel=1e-6)
    L = -np.log(q)
    g = (q - 1) * X
    for prec, u in (("64", u64), ("32", u32)):
        hs = np.logspace(-10, 0, 100001)
        bound = abs(third) * hs ** 2 / 6 + u * L / hs
        assert val(f"best_h{prec}") == pytest.approx(hs[np.argmin(bound)], rel=1e-3)
        assert val(f"best_err{prec}") == pytest.approx(bound.min(), rel=1e-6)
    assert val("best_err_ratio") == pytest.approx(val("best_err32") / val("best_err64"))
    # the measured floor in 64-bit arithmetic sits below the bound
    assert val("closest64") < val("best_err64")
    # the graph's own operations, one at a time in Python floats: m = w·x, z = m + b, q = e^z/(1 + e^z), L = −ln q
    def by_hand(w):
        z = w * X + B
        return -math.log(math.exp(z) / (1.0 + math.exp(z)))

    hs = [10.0 ** (-k / 4) for k in range(49)]
    errs = [abs((by_hand(W + h) - by_hand(W - h)) / (2 * h) - g) for h in hs]
    i = int(np.argmin(errs))
    assert hs[i] == pytest.approx(1e-5) and val("closest64") == pytest.approx(errs[i], rel=1e-3)
    assert val("near64") == pytest.approx((errs[i - 1] + errs[i + 1]) / 2, rel=1e-3)
    # and the neighbours sit where the error model puts them, within a factor of 2
    model = np.mean([abs(third) * h ** 2 / 6 + u64 * L / h for h in (hs[i - 1], hs[i + 1])])
    assert model / 2 < val("near64") < model * 2
    # half the gap between 0.8 and the next 32-bit float
    assert val("fp32_half_gap") == pytest.approx(np.spacing(np.float32(0.8)) / 2)
    assert val("n_steps_h") == 49


def test_a_failing_32_bit_check():
    g = (sig(W * X + B) - 1) * X
    h = 1e-6
    # 32-bit arithmetic, one rounding per operation, as numpy float32 does it
    f32 = lambda w: float(-np.log(np.float32(1) / (np.float32(1) + np.exp(-(np.float32(w) * np.float32(X)  # noqa: E731
                                                                              + np.float32(B))))))
    est32 = (f32(W + h) - f32(W - h)) / (2 * h)
    # numpy's float32 exp and log round differently from rounding a double once: same size, not same bits
    assert math.log10(val("ex10_rel32")) == pytest.approx(math.log10(abs(est32 - g) / abs(g)), abs=0.5)
    est64 = (loss(W + h) - loss(W - h)) / (2 * h)
    # at h = 10⁻⁶ rounding already dominates in 64-bit arithmetic too: the size agrees, the bits need not
    assert math.log10(val("ex10_rel64")) == pytest.approx(math.log10(abs(est64 - g) / abs(g)), abs=0.7)
    # "more than eight orders of magnitude lower"
    assert val("ex10_rel32") > 1e8 * val("ex10_rel64")
