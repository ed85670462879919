# 错误：直接返回概率 A，忘了按 0.5 的阈值转换成 0/1。passes visible: no
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, X):
    return sigmoid(np.dot(w.T, X) + b)
