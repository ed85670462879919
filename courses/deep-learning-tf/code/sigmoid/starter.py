import numpy as np


def sigmoid(z):
    """计算 sigmoid(z) = 1 / (1 + e^(-z))。

    参数:
        z: 标量或任意形状的 NumPy 数组
    返回:
        与 z 形状相同的 sigmoid 值（逐元素计算）
    """
    # 在这里写你的代码
    return None
