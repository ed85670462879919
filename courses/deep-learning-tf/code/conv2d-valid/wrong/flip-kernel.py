# 错误：按数学定义把卷积核翻转 180° 再计算，而框架里的卷积不翻转。passes visible: no
import numpy as np


def conv2d_valid(image, kernel, stride=1):
    kernel = np.asarray(kernel, dtype=float)[::-1, ::-1]
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros(((H - kh) // stride + 1, (W - kw) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i * stride:i * stride + kh, j * stride:j * stride + kw] * kernel)
    return out
