import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, X):
    """按 0.5 的阈值给出 0/1 预测（参考实现），返回形状 (1, m)。"""
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(float)
