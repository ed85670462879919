import numpy as np


def conv2d_valid(image, kernel, stride=1):
    """单通道 valid 卷积（不翻转卷积核）。

    参数:
        image: 形状 (H, W) 的二维数组
        kernel: 形状 (kh, kw) 的二维数组
        stride: 步长（行、列相同）
    返回:
        形状 ((H - kh) // stride + 1, (W - kw) // stride + 1) 的浮点数组
    """
    # 在这里写你的代码
    return None
