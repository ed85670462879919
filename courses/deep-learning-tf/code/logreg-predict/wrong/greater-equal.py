# 错误：用 >= 0.5 判定正类，概率恰好等于 0.5 的样本被判为 1。passes visible: yes
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return (A >= 0.5).astype(int)
