import numpy as np


def sigmoid(z):
    """逐元素计算 1 / (1 + e^(-z))，z 可以是标量或数组。"""
    # 在这里写你的代码
    return None


def propagate(w, b, X, Y):
    """逻辑回归的前向与反向计算。

    参数:
        w: 权重，形状 (n, 1)
        b: 偏置，浮点数
        X: 输入，形状 (n, m)，每一列是一个样本
        Y: 标签，形状 (1, m)，元素为 0 或 1
    返回:
        (grads, cost)
        grads: {"dw": 形状 (n, 1) 的数组, "db": 一个数}
        cost: 平均交叉熵代价，Python float
    """
    # 在这里写你的代码
    return None
