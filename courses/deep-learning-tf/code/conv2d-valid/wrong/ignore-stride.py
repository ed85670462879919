# 错误：输出尺寸按步长算了，但取窗口时忘了乘以步长（窗口每次只移动一格）。passes visible: yes
import numpy as np


def conv2d_valid(image, kernel, stride=1):
    H, W = image.shape
    kh, kw = kernel.shape
    out_h = (H - kh) // stride + 1
    out_w = (W - kw) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out
