import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def propagate(w, b, X, Y):
    """逻辑回归的一次前向 + 反向计算（参考实现）。"""
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)                     # (1, m)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dZ = A - Y                                   # (1, m)
    dw = X @ dZ.T / m                            # (n, 1)
    db = float(np.sum(dZ) / m)
    return {"dw": dw, "db": db}, float(cost)
