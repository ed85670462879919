import numpy as np


def sigmoid(z):
    """sigmoid 的参考实现。

    用 1/(1+e^{-z}) = exp(-log(1 + e^{-z})) 的形式计算，np.logaddexp(0, -z)
    即 log(1 + e^{-z})，它对很大或很小的 z 都不会溢出。
    """
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))[()]
