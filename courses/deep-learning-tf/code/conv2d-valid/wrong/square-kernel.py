# 错误：默认卷积核是正方形，只用 kernel.shape[0] 作为窗口的高和宽。passes visible: yes
import numpy as np


def conv2d_valid(image, kernel, stride=1):
    H, W = image.shape
    k = kernel.shape[0]
    out = np.zeros(((H - k) // stride + 1, (W - k) // stride + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = image[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = np.sum(window * kernel)
    return out
