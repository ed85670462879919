import numpy as np


def sigmoid(z):
    """逐元素计算 1 / (1 + e^(-z))。"""
    # 在这里写你的代码
    return None


def predict(w, b, X):
    """用逻辑回归参数预测类别。

    参数:
        w: 权重，形状 (n, 1)
        b: 偏置，浮点数
        X: 输入，形状 (n, m)，每一列是一个样本
    返回:
        形状 (1, m) 的数组，概率大于 0.5 的位置为 1，其余为 0
    """
    # 在这里写你的代码
    return None
