# 错误：指数的符号写反，算成 1/(1+e^z)，即 sigmoid(-z)。passes visible: no
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(z))
