"""The whitelist of layers a learner may use in the model builder.

Everything the validator, calculator, code generator and Keras builder know
about a layer type lives here: argument kinds, defaults, allowed ranges and
short English / Simplified Chinese descriptions for the browser UI.

Defaults were checked against the ``__init__`` signatures of Keras 3.15.
``AveragePooling2D.pool_size`` defaults to 2 here but is required by Keras 3,
so it is always passed explicitly. ``RandomContrast.factor`` is required, as
in Keras. ``RandomZoom`` factors must lie in (-1, 1], as Keras enforces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "ARG_KINDS",
    "ArgDef",
    "LAYERS",
    "LayerDef",
    "MAX_INPUT_DIM",
    "MAX_INPUT_ELEMENTS",
    "MAX_INPUT_RANK",
    "MAX_LAYERS",
    "MAX_PARAMS",
    "layer_catalog",
]

MAX_LAYERS = 60
MAX_PARAMS = 50_000_000
MAX_INPUT_DIM = 1024
MAX_INPUT_RANK = 3
MAX_INPUT_ELEMENTS = 4_194_304

#: Activation names accepted by ``keras.activations.get`` in Keras 3
#: (``None`` / ``"linear"`` both mean "no activation").
ACTIVATIONS: tuple[str, ...] = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "softmax",
    "elu",
    "selu",
    "gelu",
    "swish",
    "relu6",
    "leaky_relu",
    "softplus",
    "hard_sigmoid",
)

ARG_KINDS = ("int", "float", "choice", "bool", "int_or_pair", "activation", "int_list")

PADDINGS = ("valid", "same")
FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


@dataclass(frozen=True)
class ArgDef:
    """One argument of a whitelisted layer."""

    name: str
    kind: str
    required: bool = False
    default: Any = None
    min: int | float | None = None
    max: int | float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[str, ...] | None = None
    nullable: bool = False  # JSON null is an accepted value
    min_length: int | None = None  # int_list only
    max_length: int | None = None  # int_list only
    allow_minus_one: bool = False  # int_list only: one entry may be -1

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description of the argument."""
        doc_en, doc_zh = _ARG_DOCS.get(self.name, ("", ""))
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "required": self.required,
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "min": self.min,
            "max": self.max,
            "min_exclusive": self.min_exclusive,
            "max_exclusive": self.max_exclusive,
            "choices": list(self.choices) if self.choices is not None else None,
            "nullable": self.nullable,
            "doc_en": doc_en,
            "doc_zh": doc_zh,
        }
        if self.kind == "int_list":
            out["min_length"] = self.min_length
            out["max_length"] = self.max_length
            out["allow_minus_one"] = self.allow_minus_one
        return out


@dataclass(frozen=True)
class LayerDef:
    """One whitelisted layer type."""

    type: str
    group: str
    doc_en: str
    doc_zh: str
    args: tuple[ArgDef, ...]
    needs_image: bool = False  # input must be (height, width, channels)
    positional: tuple[str, ...] = ()  # args written positionally in generated code
    always_emit: tuple[str, ...] = ()  # args always written in code (no Keras default)

    def arg(self, name: str) -> ArgDef | None:
        for a in self.args:
            if a.name == name:
                return a
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description of the layer type."""
        return {
            "type": self.type,
            "group": self.group,
            "doc_en": self.doc_en,
            "doc_zh": self.doc_zh,
            "needs_image_input": self.needs_image,
            "args": [a.to_dict() for a in self.args],
        }


# --- reusable argument definitions -----------------------------------------

def _filters() -> ArgDef:
    return ArgDef("filters", "int", required=True, min=1, max=1024)


def _kernel() -> ArgDef:
    return ArgDef("kernel_size", "int_or_pair", required=True, min=1, max=11)


def _conv_strides() -> ArgDef:
    return ArgDef("strides", "int_or_pair", default=1, min=1, max=5)


def _padding() -> ArgDef:
    return ArgDef("padding", "choice", default="valid", choices=PADDINGS)


def _activation(required: bool = False) -> ArgDef:
    return ArgDef("activation", "activation", required=required, default=None,
                  choices=ACTIVATIONS, nullable=True)


def _use_bias() -> ArgDef:
    return ArgDef("use_bias", "bool", default=True)


def _depth_multiplier() -> ArgDef:
    return ArgDef("depth_multiplier", "int", default=1, min=1, max=8)


def _pool_args() -> tuple[ArgDef, ...]:
    return (
        ArgDef("pool_size", "int_or_pair", default=2, min=1, max=8),
        ArgDef("strides", "int_or_pair", default=None, min=1, max=8, nullable=True),
        _padding(),
    )


_LAYER_LIST: tuple[LayerDef, ...] = (
    LayerDef(
        "Conv2D", "convolution",
        "2-D convolution: slides `filters` learnable kernels over the image; "
        "each filter produces one output channel.",
        "二维卷积：用 filters 个可学习的卷积核在图像上滑动，每个卷积核输出一个通道。",
        (_filters(), _kernel(), _conv_strides(), _padding(), _activation(), _use_bias()),
        needs_image=True, positional=("filters", "kernel_size"),
    ),
    LayerDef(
        "DepthwiseConv2D", "convolution",
        "Depthwise convolution: one kernel per input channel (times depth_multiplier); "
        "channels are not mixed.",
        "深度卷积：每个输入通道单独使用卷积核（乘以 depth_multiplier），通道之间不混合。",
        (_kernel(), _conv_strides(), _padding(), _depth_multiplier(), _activation(), _use_bias()),
        needs_image=True, positional=("kernel_size",),
    ),
    LayerDef(
        "SeparableConv2D", "convolution",
        "Depthwise convolution followed by a 1×1 pointwise convolution: "
        "far fewer parameters than Conv2D.",
        "深度可分离卷积：先逐通道卷积，再做 1×1 逐点卷积，参数比 Conv2D 少得多。",
        (_filters(), _kernel(), _conv_strides(), _padding(), _depth_multiplier(),
         _activation(), _use_bias()),
        needs_image=True, positional=("filters", "kernel_size"),
    ),
    LayerDef(
        "MaxPooling2D", "pooling",
        "Keeps the maximum of each pool_size window; shrinks height and width "
        "(by default it halves them).",
        "最大池化：取每个 pool_size 窗口中的最大值，缩小高和宽（默认减半）。",
        _pool_args(), needs_image=True, positional=("pool_size",),
    ),
    LayerDef(
        "AveragePooling2D", "pooling",
        "Averages each pool_size window; shrinks height and width (by default it halves them).",
        "平均池化：对每个 pool_size 窗口求平均，缩小高和宽（默认减半）。",
        _pool_args(), needs_image=True, positional=("pool_size",),
        always_emit=("pool_size",),  # required by Keras 3
    ),
    LayerDef(
        "GlobalAveragePooling2D", "pooling",
        "Averages each channel over the whole image: (H, W, C) → (C). "
        "A parameter-free alternative to Flatten.",
        "全局平均池化：对每个通道在整幅图上求平均，(H, W, C) → (C)，是 Flatten 的无参数替代。",
        (), needs_image=True,
    ),
    LayerDef(
        "GlobalMaxPooling2D", "pooling",
        "Takes the maximum of each channel over the whole image: (H, W, C) → (C).",
        "全局最大池化：取每个通道在整幅图上的最大值，(H, W, C) → (C)。",
        (), needs_image=True,
    ),
    LayerDef(
        "Flatten", "reshape",
        "Flattens each sample into a 1-D vector, e.g. (22, 22, 64) → (30976).",
        "展平：把每个样本拉成一维向量，例如 (22, 22, 64) → (30976)。",
        (),
    ),
    LayerDef(
        "Dense", "core",
        "Fully connected layer: every output unit is connected to every input value "
        "of the last axis.",
        "全连接层：每个输出单元与最后一个轴上的所有输入相连。",
        (ArgDef("units", "int", required=True, min=1, max=8192), _activation(), _use_bias()),
        positional=("units",),
    ),
    LayerDef(
        "Dropout", "regularization",
        "During training, randomly sets a fraction `rate` of the values to 0 to reduce "
        "overfitting; does nothing at inference time.",
        "随机失活：训练时随机把比例为 rate 的数值置 0，以减轻过拟合；推理时不起作用。",
        (ArgDef("rate", "float", required=True, min=0.0, max=1.0, max_exclusive=True),),
        positional=("rate",),
    ),
    LayerDef(
        "Rescaling", "preprocessing",
        "Multiplies the input by scale and adds offset, e.g. scale 1/255 maps pixel "
        "values 0–255 to 0–1.",
        "缩放：输入乘以 scale 再加上 offset，例如 scale = 1/255 把像素值 0–255 映射到 0–1。",
        (ArgDef("scale", "float", required=True), ArgDef("offset", "float", default=0.0)),
        positional=("scale",),
    ),
    LayerDef(
        "RandomFlip", "augmentation",
        "Data augmentation: randomly flips images during training.",
        "数据增强：训练时随机翻转图像。",
        (ArgDef("mode", "choice", default="horizontal_and_vertical", choices=FLIP_MODES),),
        needs_image=True, positional=("mode",),
    ),
    LayerDef(
        "RandomRotation", "augmentation",
        "Data augmentation: randomly rotates images during training by up to "
        "factor × 360° either way.",
        "数据增强：训练时随机旋转图像，最大角度为 ±factor × 360°。",
        (ArgDef("factor", "float", required=True, min=0.0, max=1.0),),
        needs_image=True, positional=("factor",),
    ),
    LayerDef(
        "RandomZoom", "augmentation",
        "Data augmentation: randomly zooms images during training "
        "(a positive factor zooms out, a negative one zooms in).",
        "数据增强：训练时随机缩放图像（正值缩小、负值放大）。",
        (ArgDef("height_factor", "float", required=True, min=-1.0, max=1.0, min_exclusive=True),
         ArgDef("width_factor", "float", default=None, min=-1.0, max=1.0, min_exclusive=True,
                nullable=True)),
        needs_image=True, positional=("height_factor",),
    ),
    LayerDef(
        "RandomTranslation", "augmentation",
        "Data augmentation: randomly shifts images during training by up to a fraction "
        "of their height and width.",
        "数据增强：训练时随机平移图像，最大平移量为高和宽的一定比例。",
        (ArgDef("height_factor", "float", required=True, min=0.0, max=1.0),
         ArgDef("width_factor", "float", required=True, min=0.0, max=1.0)),
        needs_image=True, positional=("height_factor", "width_factor"),
    ),
    LayerDef(
        "RandomContrast", "augmentation",
        "Data augmentation: randomly changes the contrast of images during training "
        "by up to ±factor.",
        "数据增强：训练时随机调整图像对比度，幅度最大为 ±factor。",
        (ArgDef("factor", "float", required=True, min=0.0, max=1.0),),
        needs_image=True, positional=("factor",),
    ),
    LayerDef(
        "BatchNormalization", "normalization",
        "Normalizes each channel with batch statistics; 4 numbers per channel "
        "(γ and β are trained, the moving mean and variance are not).",
        "批归一化：按通道用批统计量做归一化；每个通道 4 个参数（γ、β 可训练，滑动均值和方差不可训练）。",
        (),
    ),
    LayerDef(
        "Activation", "core",
        "Applies an activation function to every value; has no parameters.",
        "激活层：对每个数值应用激活函数，没有参数。",
        (_activation(required=True),),
        positional=("activation",),
    ),
    LayerDef(
        "Reshape", "reshape",
        "Changes the shape without changing the values; the number of elements must "
        "stay the same (one dimension may be -1 to let it be computed).",
        "重塑：改变形状而不改变数值；元素总数必须不变（可以有一个维度写 -1 让它自动计算）。",
        (ArgDef("target_shape", "int_list", required=True, min=1, min_length=1,
                max_length=3, allow_minus_one=True),),
        positional=("target_shape",),
    ),
)

#: Layer type name → definition, in catalog order.
LAYERS: dict[str, LayerDef] = {ld.type: ld for ld in _LAYER_LIST}

_ARG_DOCS: dict[str, tuple[str, str]] = {
    "filters": ("Number of filters = number of output channels.", "卷积核个数，即输出通道数。"),
    "kernel_size": ("Size of each kernel: one number (square) or [height, width].",
                    "卷积核大小：一个数（正方形）或 [高, 宽]。"),
    "strides": ("Step between two windows: one number or [height, width].",
                "窗口每次移动的步长：一个数或 [高, 宽]。"),
    "padding": ("'valid': no padding, the output shrinks; 'same': zero padding, "
                "output size = ceil(input / strides).",
                "'valid'：不填充，输出变小；'same'：补零，输出大小 = ceil(输入 / 步长)。"),
    "activation": ("Activation function applied to the output (null = linear).",
                   "作用在输出上的激活函数（null 表示线性）。"),
    "use_bias": ("Whether the layer learns a bias per output channel / unit.",
                 "是否为每个输出通道或单元学习一个偏置。"),
    "depth_multiplier": ("Output channels per input channel in the depthwise step.",
                         "逐通道卷积中每个输入通道产生的输出通道数。"),
    "pool_size": ("Size of the pooling window: one number or [height, width].",
                  "池化窗口大小：一个数或 [高, 宽]。"),
    "units": ("Number of output units (neurons).", "输出单元（神经元）个数。"),
    "rate": ("Fraction of values set to 0 during training (0 ≤ rate < 1).",
             "训练时被置 0 的比例（0 ≤ rate < 1）。"),
    "scale": ("Multiplier, e.g. 1/255 = 0.00392156862745098.", "乘数，例如 1/255。"),
    "offset": ("Value added after scaling.", "缩放后加上的数。"),
    "mode": ("Which flips to apply.", "翻转方式。"),
    "factor": ("Strength of the random change.", "随机变化的幅度。"),
    "height_factor": ("Strength of the change along the height.", "沿高度方向变化的幅度。"),
    "width_factor": ("Strength of the change along the width.", "沿宽度方向变化的幅度。"),
    "target_shape": ("New shape of each sample, without the batch axis.",
                     "每个样本的新形状（不含批次维）。"),
}


def layer_catalog() -> list[dict[str, Any]]:
    """Return a JSON-serialisable description of every whitelisted layer."""
    return [ld.to_dict() for ld in _LAYER_LIST]
