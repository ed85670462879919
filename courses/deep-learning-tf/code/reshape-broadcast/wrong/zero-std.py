# 错误：没有处理标准差为 0 的常数列，0/0 得到 nan；分批时也没丢弃剩余样本，不能整除时 reshape 报错。passes visible: yes
import numpy as np


def standardize_columns(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def to_batches(x, batch_size):
    return x.reshape((-1, batch_size) + x.shape[1:])
