"""The flagship course covers the syllabus (../shared/SYLLABUS.md): every chapter teaches its topics
and the worked numbers the issue names appear where they belong."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

COURSE_DIR = Path(settings.COURSE_CONTENT_ROOT) / "deep-learning-tf"

# Per chapter, terms that a page of that chapter must use (one per syllabus topic; case-insensitive).
SYLLABUS_TOPICS = {
    'ch01': ['人工智能', '机器学习', '深度学习', '监督', '无监督', '特征', '1943', '1957', '反向传播', 'LeNet', 'AlexNet', 'VGG', 'GoogLeNet', 'ResNet', 'MobileNet', 'DenseNet', 'TensorFlow', 'pip install', 'Jupyter'],
    'ch02': ['标量', 'ndim', 'shape', 'dtype', '批量', 'NHWC', 'NCHW', '视频', '切片', '广播', 'tf.matmul', 'reshape', 'transpose', 'tf.ragged', 'tf.sparse', 'tf.constant', 'tf.Variable', 'assign', 'UTF-8'],
    'ch03': ['M-P', '感知机', '多层感知机', 'sigmoid', 'tanh', 'ReLU', 'Leaky', 'SELU', 'softmax', '导数', '均方误差', '交叉熵', 'sparse_categorical_crossentropy', 'from_logits', '小批量', '随机梯度下降', '动量', 'RMSProp', 'Adam', '0.999', '1e-8', '学习率衰减', '链式法则', '偏差', '方差', '过拟合', 'L1', 'L2', 'Dropout', '早停', '数据增强', '标准化', 'BatchNormalization'],
    'ch04': ['GradientTape', '0.8', '0.7', 'sigmoid', 'propagate', 'optimize', 'predict', 'make_classification', '逻辑回归', 'softmax'],
    'ch05': ['Sequential', '函数式', 'concatenate', '子类', 'WideDeepModel', 'compile', 'fit', 'evaluate', 'predict', 'summary', 'TensorBoard', 'ModelCheckpoint', 'save_best_only', 'EarlyStopping', 'patience', 'min_delta', '.keras', '.h5', 'save_weights', 'SavedModel', 'from_tensor_slices', 'shuffle', 'batch', 'cache', 'prefetch', '网格搜索', '随机搜索', 'Fashion-MNIST', '255', 'CUDA_VISIBLE_DEVICES'],
    'ch06': ['稀疏', '参数共享', '320', '280', '感受野', '卷积核', '步长', 'same', 'valid', '多通道', '深度卷积', '最大池化', '平均池化', 'Flatten', 'GlobalAveragePooling2D', '均值', '高斯', '拉普拉斯'],
    'ch07': ['LeNet-5', '61,706', 'AlexNet', 'ReLU', 'Dropout', '重叠池化', 'LRN', 'VGG16', '3×3', 'Inception', '1×1', '辅助分类器', '残差', '捷径', 'MobileNet', '深度可分离', '倒残差', 'ReLU6', 'h-swish', 'DenseNet'],
    'ch08': ['image_dataset_from_directory', 'validation_split', 'subset', 'seed', 'image_size', 'batch_size', 'cache', 'shuffle', 'prefetch', 'RandomFlip', 'RandomRotation', 'RandomZoom', 'Rescaling', 'MaxPooling2D', 'Dropout(0.2)', 'Dense(128', 'SparseCategoricalCrossentropy', 'from_logits', '过拟合', '预测'],
    'ch09': ['迁移学习', 'include_top=False', 'GlobalAveragePooling2D', 'trainable = False', 'preprocess_input', '微调'],
    'ch10': ['IoU', '精确率', '召回率', 'mAP', 'NMS', 'R-CNN', 'SPPNet', 'Fast R-CNN', 'RoI', 'Faster R-CNN', 'RPN', '锚框', 'YOLO', '7×7×30', 'SSD', '300×300', 'VOC', 'Open Images', 'LabelImg', 'XML'],
    'ch11': ['RNN', '时间上共享参数', 'LSTM', 'timesteps', 'one-hot', 'Embedding'],
}

# Worked examples the course must show with their numbers: (chapter, [texts that must all appear]).
WORKED_NUMBERS = [
    ("ch06", ["5 & 6 \\cr 8 & 9", "[[5. 6.] [8. 9.]]"]),  # the 3×3 → 2×2 max-pool example (same padding)
    ("ch06", ["\\lceil", "\\lfloor"]),  # same: ceil(R/S); valid: floor((R−F)/S)+1
    ("ch06", ["320", "280", "57,075,480"]),  # edge-detection cost comparison
    ("ch05", ["469", "128", "60000"]),  # steps per epoch for 60,000 images at batch 128
    ("ch03", ["0.9", "0.999", "1e-8"]),  # Adam defaults
    ("ch07", ["156", "2,416", "48,120", "10,164", "850", "61,706"]),  # LeNet-5 layer by layer
]


def chapter_text(prefix: str) -> str:
    (folder,) = COURSE_DIR.glob(f"{prefix}-*")
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md")))


def test_the_course_has_exactly_the_eleven_syllabus_chapters():
    assert sorted(p.name[:4] for p in COURSE_DIR.glob("ch*") if p.is_dir()) == sorted(SYLLABUS_TOPICS)


@pytest.mark.parametrize("prefix", sorted(SYLLABUS_TOPICS))
def test_each_chapter_teaches_every_topic_of_its_syllabus_entry(prefix):
    text = chapter_text(prefix).lower()
    assert [term for term in SYLLABUS_TOPICS[prefix] if term.lower() not in text] == []


@pytest.mark.parametrize("prefix, numbers", WORKED_NUMBERS)
def test_worked_examples_show_the_numbers_from_the_notes(prefix, numbers):
    text = chapter_text(prefix).replace("60,000", "60000")
    assert [n for n in numbers if n not in text] == []


def test_tf1_session_code_appears_only_as_history():
    for page in COURSE_DIR.glob("*/*.md"):
        text = page.read_text(encoding="utf-8")
        if "tf.Session(" in text or "tf.compat.v1.Session" in text:
            assert any(word in text for word in ("TF1", "TensorFlow 1", "历史")), page.name
