# 错误：same 最大池化时用 0 填充并参与取最大值，输入全为负数时结果变成 0。passes visible: yes
import math
import numpy as np


def pool2d(x, size, stride, padding, mode):
    if mode not in ("max", "avg") or padding not in ("same", "valid"):
        raise ValueError("bad argument")
    x = np.asarray(x, dtype=float)
    H, W = x.shape
    if padding == "valid":
        oh, ow = (H - size) // stride + 1, (W - size) // stride + 1
        ph = pw = 0
    else:
        oh, ow = math.ceil(H / stride), math.ceil(W / stride)
        ph = max((oh - 1) * stride + size - H, 0)
        pw = max((ow - 1) * stride + size - W, 0)
    padded = np.zeros((H + ph, W + pw))
    mask = np.zeros((H + ph, W + pw))
    padded[ph // 2:ph // 2 + H, pw // 2:pw // 2 + W] = x
    mask[ph // 2:ph // 2 + H, pw // 2:pw // 2 + W] = 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            sl = (slice(i * stride, i * stride + size), slice(j * stride, j * stride + size))
            if mode == "max":
                out[i, j] = padded[sl].max()
            else:
                out[i, j] = padded[sl].sum() / mask[sl].sum()
    return out
