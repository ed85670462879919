# 错误：为了"防止溢出"先把 z 截断到 [-10, 10]，|z| > 10 时结果不准。passes visible: yes
import numpy as np


def sigmoid(z):
    z = np.clip(z, -10, 10)
    return 1.0 / (1.0 + np.exp(-z))
