# 错误：把结果展平成形状 (m,) 的一维数组，而不是 (1, m)。passes visible: no
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, X):
    A = sigmoid(w.T @ X + b)
    return (A > 0.5).astype(float).ravel()
