# 错误：same 时在下方/右侧补 0 且让补的 0 参与计算，平均池化总是除以 size*size。passes visible: no
import math
import numpy as np


def pool2d(x, size, stride, padding, mode):
    if mode not in ("max", "avg") or padding not in ("same", "valid"):
        raise ValueError("bad argument")
    x = np.asarray(x, dtype=float)
    if padding == "same":
        oh, ow = math.ceil(x.shape[0] / stride), math.ceil(x.shape[1] / stride)
        ph = max((oh - 1) * stride + size - x.shape[0], 0)
        pw = max((ow - 1) * stride + size - x.shape[1], 0)
        x = np.pad(x, ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)))
    else:
        oh, ow = (x.shape[0] - size) // stride + 1, (x.shape[1] - size) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            w = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = w.max() if mode == "max" else w.sum() / (size * size)
    return out
