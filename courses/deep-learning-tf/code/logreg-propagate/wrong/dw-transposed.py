# 错误：dw 写成 dZ X^T / m，形状是 (1, n) 而不是 (n, 1)。passes visible: no
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    dw = dZ @ X.T / m
    db = np.mean(dZ)
    return {"dw": dw, "db": db}, float(cost)
