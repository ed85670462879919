import numpy as np


def _windows(n, size, stride, padding):
    """返回某个方向上每个窗口覆盖的真实元素范围 [start, end)。"""
    if padding == "valid":
        out = (n - size) // stride + 1
        before = 0
    elif padding == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + size - n, 0)
        before = total // 2                      # 多出的一个补在下方/右侧
    else:
        raise ValueError(f"padding 只能是 'same' 或 'valid'，收到 {padding!r}")
    spans = []
    for i in range(out):
        start = i * stride - before
        spans.append((max(start, 0), min(start + size, n)))
    return spans


def pool2d(x, size, stride, padding, mode):
    """二维最大/平均池化（参考实现）；填充位置不参与计算。"""
    if mode not in ("max", "avg"):
        raise ValueError(f"mode 只能是 'max' 或 'avg'，收到 {mode!r}")
    x = np.asarray(x, dtype=float)
    rows = _windows(x.shape[0], size, stride, padding)
    cols = _windows(x.shape[1], size, stride, padding)
    out = np.zeros((len(rows), len(cols)))
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            window = x[r0:r1, c0:c1]
            out[i, j] = window.max() if mode == "max" else window.mean()
    return out
