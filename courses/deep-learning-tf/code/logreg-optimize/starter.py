import numpy as np


def sigmoid(z):
    """逐元素计算 1 / (1 + e^(-z))。"""
    # 在这里写你的代码
    return None


def propagate(w, b, X, Y):
    """返回 (grads, cost)：grads = {"dw": (n, 1) 数组, "db": 数}，cost 为 float。"""
    # 在这里写你的代码
    return None


def optimize(w, b, X, Y, num_iterations, learning_rate):
    """用梯度下降优化 w 和 b。

    参数:
        w: 初始权重，形状 (n, 1)
        b: 初始偏置，浮点数
        X: 输入，形状 (n, m)
        Y: 标签，形状 (1, m)
        num_iterations: 迭代次数（至少为 1）
        learning_rate: 学习率
    返回:
        params: {"w": 更新后的 w, "b": 更新后的 b}
        grads: 最后一次迭代的梯度 {"dw": ..., "db": ...}
        costs: 第 0、100、200……次迭代的代价组成的列表
    """
    # 在这里写你的代码
    return None
