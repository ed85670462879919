# 错误：把步长当成总等于窗口大小（Keras 的默认值），忽略了 stride 参数。passes visible: yes
import math
import numpy as np


def pool2d(x, size, stride, padding, mode):
    if mode not in ("max", "avg") or padding not in ("same", "valid"):
        raise ValueError("bad argument")
    x = np.asarray(x, dtype=float)
    s = size
    H, W = x.shape
    if padding == "valid":
        oh, ow = (H - size) // s + 1, (W - size) // s + 1
        top = left = 0
    else:
        oh, ow = math.ceil(H / s), math.ceil(W / s)
        top = max((oh - 1) * s + size - H, 0) // 2
        left = max((ow - 1) * s + size - W, 0) // 2
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            r, c = i * s - top, j * s - left
            w = x[max(r, 0):r + size, max(c, 0):c + size]
            out[i, j] = w.max() if mode == "max" else w.mean()
    return out
