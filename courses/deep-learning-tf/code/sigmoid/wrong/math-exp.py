# 错误：用 math.exp，只能处理标量，传入数组时报 TypeError。passes visible: no
import math


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))
