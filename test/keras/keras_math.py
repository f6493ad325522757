"""Keras 3's math for single-layer models, in numpy, on the weights of a .keras file (read with h5py).

Independent of tfjs: it reads config.json and model.weights.h5 the way Keras lays them out and computes the layer as
Keras's source defines it (weight shapes, channel order, gate order, merge modes). Usage:
    keras_math.py model.keras input.json  → prints the output as JSON
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def act(name):
    return {"linear": lambda x: x, "tanh": np.tanh, "sigmoid": sigmoid, "relu": lambda x: np.maximum(x, 0)}[name]


def conv2d(x, k, stride=(1, 1), padding="valid"):
    """x (n, h, w, c), k (kh, kw, c, f): cross-correlation as Keras's Conv2D."""
    kh, kw = k.shape[:2]
    if padding == "same":
        ph, pw = kh - 1, kw - 1
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    n, h, w, _ = x.shape
    oh, ow = (h - kh) // stride[0] + 1, (w - kw) // stride[1] + 1
    out = np.zeros((n, oh, ow, k.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw, :]
            out[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    return out


def depthwise(x, k):
    """k (kh, kw, c, m) → output channel c·m + j, as tf.nn.depthwise_conv2d (valid, stride 1)."""
    kh, kw, c, m = k.shape
    n, h, w, _ = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, c * m))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            patch = x[:, i:i + kh, j:j + kw, :]  # n, kh, kw, c
            out[:, i, j, :] = np.einsum("nabc,abcm->ncm", patch, k).reshape(n, c * m)
    return out


def conv_transpose(x, k, strides):
    """x (n, *spatial, c), k (*kernel, f, c), valid padding, any number of spatial axes: each input position p
    scatters k · x[p] into the output window starting at p · stride."""
    kernel, f = k.shape[:-2], k.shape[-2]
    spatial = x.shape[1:-1]
    out = np.zeros((x.shape[0], *[(d - 1) * s + kk for d, s, kk in zip(spatial, strides, kernel)], f))
    for p in np.ndindex(*spatial):
        window = tuple(slice(i * s, i * s + kk) for i, s, kk in zip(p, strides, kernel))
        out[(slice(None), *window, slice(None))] += np.tensordot(x[(slice(None), *p)], k, axes=([1], [-1]))
    return out


def lstm(x, W, U, b, cfg, backwards=False):
    n, t, _ = x.shape
    u = U.shape[0]
    h = np.zeros((n, u))
    c = np.zeros((n, u))
    outs = []
    steps = range(t - 1, -1, -1) if backwards else range(t)
    ra, a = act(cfg["recurrent_activation"]), act(cfg["activation"])
    for s in steps:
        z = x[:, s, :] @ W + h @ U + b
        zi, zf, zc, zo = np.split(z, 4, axis=-1)
        c = ra(zf) * c + ra(zi) * a(zc)
        h = ra(zo) * a(c)
        outs.append(h)
    if backwards:
        outs = outs[::-1]
    return np.stack(outs, 1) if cfg["return_sequences"] else h


def conv_lstm(x, W, U, b, cfg):
    n, t = x.shape[:2]
    f = U.shape[2]
    h = c = None
    ra, a = act(cfg["recurrent_activation"]), act(cfg["activation"])
    outs = []
    for s in range(t):
        zx = conv2d(x[:, s], W, tuple(cfg["strides"]), cfg["padding"]) + b
        if h is None:
            h = np.zeros(zx.shape[:3] + (f,))
            c = np.zeros_like(h)
        z = zx + conv2d(h, U, (1, 1), "same")
        zi, zf, zc, zo = np.split(z, 4, axis=-1)
        c = ra(zf) * c + ra(zi) * a(zc)
        h = ra(zo) * a(c)
        outs.append(h)
    return np.stack(outs, 1) if cfg["return_sequences"] else h


def vars_of(h5, path):
    g = h5[path]
    return [np.array(g[str(i)]) for i in range(len(g.keys()))]


def main():
    with zipfile.ZipFile(sys.argv[1]) as z:
        config = json.loads(z.read("config.json"))
        h5 = h5py.File(io.BytesIO(z.read("model.weights.h5")), "r")
    x = np.array(json.load(open(sys.argv[2])), dtype=np.float64)
    layer = [l for l in config["config"]["layers"] if l["class_name"] != "InputLayer"][0]
    cls, cfg = layer["class_name"], layer["config"]
    shape_only = {
        "ZeroPadding1D": lambda: np.pad(x, ((0, 0), tuple(cfg["padding"]), (0, 0))),
        "ZeroPadding3D": lambda: np.pad(x, ((0, 0), *[tuple(p) for p in cfg["padding"]], (0, 0))),
        "Cropping1D": lambda: x[:, cfg["cropping"][0]:x.shape[1] - cfg["cropping"][1], :],
        "UpSampling1D": lambda: np.repeat(x, cfg["size"], axis=1),
        "UpSampling3D": lambda: np.repeat(np.repeat(np.repeat(x, cfg["size"][0], 1), cfg["size"][1], 2), cfg["size"][2], 3),
        "GlobalAveragePooling3D": lambda: x.mean(axis=(1, 2, 3)),
        "GlobalMaxPooling3D": lambda: x.max(axis=(1, 2, 3)),
        "SpatialDropout2D": lambda: x,
    }
    if cls in shape_only:
        print(json.dumps(shape_only[cls]().tolist()))
        return
    if cls == "RNN":
        seq_cfg = {k: cfg[k] for k in ("return_sequences",)}
        cell = cfg["cell"]
        if cell["class_name"] == "LSTMCell":
            y = lstm(x, *vars_of(h5, "layers/rnn/cell/vars"), {**cell["config"], **seq_cfg})
        else:  # StackedRNNCells of LSTMCells: each feeds its sequence to the next; the last one's output is returned
            h = x
            cells = cell["config"]["cells"]
            for i, c in enumerate(cells):
                key = "lstm_cell" if i == 0 else f"lstm_cell_{i}"
                h = lstm(h, *vars_of(h5, f"layers/rnn/cell/cells/{key}/vars"), {**c["config"], "return_sequences": True})
            y = h if seq_cfg["return_sequences"] else h[:, -1, :]
        print(json.dumps(y.tolist()))
        return
    key = {"DepthwiseConv2D": "depthwise_conv2d", "SeparableConv2D": "separable_conv2d", "Conv2DTranspose": "conv2d_transpose",
           "Conv3DTranspose": "conv3d_transpose",
           "Bidirectional": "bidirectional", "ConvLSTM2D": "conv_lstm2d", "PReLU": "p_re_lu"}[cls]
    base = f"layers/{key}"
    if cls == "DepthwiseConv2D":
        k, bias = vars_of(h5, base + "/vars")
        y = depthwise(x, k) + bias
    elif cls == "SeparableConv2D":
        dk, pk, bias = vars_of(h5, base + "/vars")
        y = np.tensordot(depthwise(x, dk), pk[0, 0], axes=([3], [0])) + bias
    elif cls in ("Conv2DTranspose", "Conv3DTranspose"):
        assert cfg["padding"] == "valid", "keras_math.py computes valid transposed convolutions only"
        k, bias = vars_of(h5, base + "/vars")
        y = conv_transpose(x, k, cfg["strides"]) + bias
    elif cls == "PReLU":
        (alpha,) = vars_of(h5, base + "/vars")
        y = np.maximum(x, 0) + alpha * np.minimum(x, 0)
    elif cls == "ConvLSTM2D":
        W, U, b = vars_of(h5, base + "/cell/vars")
        y = conv_lstm(x, W, U, b, cfg)
    elif cls == "Bidirectional":
        fcfg = cfg["layer"]["config"]
        fw = lstm(x, *vars_of(h5, base + "/forward_layer/cell/vars"), fcfg)
        bw = lstm(x, *vars_of(h5, base + "/backward_layer/cell/vars"), fcfg, backwards=True)
        mode = cfg["merge_mode"]
        y = {"concat": lambda: np.concatenate([fw, bw], -1), "sum": lambda: fw + bw, "mul": lambda: fw * bw,
             "ave": lambda: (fw + bw) / 2}[mode]()
    print(json.dumps(y.tolist()))


main()
