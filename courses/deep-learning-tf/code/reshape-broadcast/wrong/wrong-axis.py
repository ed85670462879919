# 错误：标准化时沿 axis=1（每个样本的各特征）求均值和标准差，而不是按列。passes visible: no
import numpy as np


def standardize_columns(X):
    X = np.asarray(X, dtype=float)
    mean = X.mean(axis=1, keepdims=True)
    std = X.std(axis=1, keepdims=True)
    return (X - mean) / np.where(std == 0, 1.0, std)


def to_batches(x, batch_size):
    n = x.shape[0] // batch_size
    return x[:n * batch_size].reshape((n, batch_size) + x.shape[1:])
