# 错误：除了每 100 次记录代价外，还额外记录最后一次迭代的代价。passes visible: yes
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dZ = A - Y
    return {"dw": X @ dZ.T / m, "db": np.mean(dZ)}, float(cost)


def optimize(w, b, X, Y, num_iterations, learning_rate):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0 or i == num_iterations - 1:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs
