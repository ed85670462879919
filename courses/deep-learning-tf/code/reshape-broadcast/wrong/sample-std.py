# 错误：用样本标准差（ddof=1）代替题目要求的总体标准差。passes visible: no
import numpy as np


def standardize_columns(X):
    X = np.asarray(X, dtype=float)
    std = X.std(axis=0, ddof=1)
    std[std == 0] = 1.0
    return (X - X.mean(axis=0)) / std


def to_batches(x, batch_size):
    n = len(x) // batch_size
    return np.asarray(x[:n * batch_size]).reshape(n, batch_size, *x.shape[1:])
