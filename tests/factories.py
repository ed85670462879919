"""factory_boy factories for test data."""

from __future__ import annotations

from pathlib import Path

import factory
from django.conf import settings

from accounts.models import User
from courseware.models import Chapter, Course, Enrollment, Lab
from datasets.models import Dataset
from training.models import Run

TINY_SPEC = {
    "input_shape": [16, 16, 3],
    "layers": [
        {"type": "Rescaling", "args": {"scale": 1 / 255}},
        {"type": "Conv2D", "args": {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}},
        {"type": "MaxPooling2D", "args": {}},
        {"type": "Flatten", "args": {}},
        {"type": "Dense", "args": {"units": 3}},
    ],
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.LEARNER
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"course-{n}")
    title_zh = "测试课程"
    title_en = "Test course"


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chapter

    course = factory.SubFactory(CourseFactory)
    slug = factory.Sequence(lambda n: f"ch-{n}")
    order = factory.Sequence(lambda n: n + 1)
    title_zh = "章节"
    title_en = "Chapter"


class DatasetFactory(factory.django.DjangoModelFactory):
    """A tiny class-folder image set, really written to disk (3 classes × 8 images, 16×16)."""

    class Meta:
        model = Dataset
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"tiny-shapes-{n}")
    title_zh = "小图形"
    title_en = "Tiny shapes"
    format = Dataset.Format.IMAGE_FOLDER
    relative_path = factory.LazyAttribute(lambda o: f"test/{o.slug}")
    class_names = ["circle", "square", "triangle"]
    num_items = 24
    item_shape = [16, 16, 3]

    @factory.post_generation
    def files(obj, create, extracted, **kwargs):
        from datasets.bundled import shapes_build

        path = settings.DATASET_ROOT / obj.relative_path
        if not path.exists():
            shapes_build(path, per_class=8, size=16, classes=tuple(obj.class_names), seed=7)


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lab

    course = factory.SubFactory(CourseFactory)
    chapter = factory.SubFactory(ChapterFactory, course=factory.SelfAttribute("..course"))
    slug = factory.Sequence(lambda n: f"lab-{n}")
    title_zh = "实验"
    title_en = "Lab"
    spec = factory.LazyFunction(lambda: dict(TINY_SPEC))
    compile_config = {"loss": "sparse_categorical_crossentropy", "from_logits": True, "metrics": ["accuracy"]}
    hyperparameters = {"epochs": 1, "batch_size": 8, "optimizer": "adam", "learning_rate": 0.01}
    resources = {"device": "any", "time_limit_s": 300}
    dataset_slugs = factory.LazyAttribute(lambda o: [o.dataset.slug])
    default_dataset_slug = factory.LazyAttribute(lambda o: o.dataset.slug)

    class Params:
        dataset = factory.SubFactory(DatasetFactory)


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    owner = factory.SubFactory(UserFactory)
    lab = factory.SubFactory(LabFactory)
    course = factory.SelfAttribute("lab.course")
    dataset = factory.LazyAttribute(lambda o: Dataset.objects.get(slug=o.lab.default_dataset_slug))
    spec = factory.LazyFunction(lambda: dict(TINY_SPEC))
    compile_config = factory.SelfAttribute("lab.compile_config")
    hyperparameters = factory.SelfAttribute("lab.hyperparameters")
    resources = factory.SelfAttribute("lab.resources")


def instructor_of(course: Course) -> User:
    user = UserFactory(role=User.Role.INSTRUCTOR)
    Enrollment.objects.create(course=course, user=user, role=Enrollment.Role.INSTRUCTOR)
    return user


class LabelProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "labeling.LabelProject"

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    kind = "classification"


def label_class_make(project, name: str, hotkey: str | None = None):
    from labeling.services import class_create

    return class_create(project, name=name, hotkey=hotkey)


def png_bytes(size: tuple[int, int] = (40, 30), colour=(200, 30, 30), mode: str = "RGB") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, size, colour if mode != "L" else colour[0]).save(buffer, format="PNG")
    return buffer.getvalue()


def label_image_make(project, *, user=None, size: tuple[int, int] = (40, 30), colour=None, label=None, name: str | None = None):
    """A real image stored in the project (checked and re-encoded like an upload)."""
    from labeling.images import image_ingest
    from labeling.services import image_store

    label_image_make.counter = getattr(label_image_make, "counter", 0) + 1
    n = label_image_make.counter
    colour = colour or (n * 37 % 256, n * 91 % 256, n * 13 % 256)
    data = png_bytes(size, colour)
    name = name or f"img{n}.png"
    return image_store(project, user=user or project.owner, ingested=image_ingest(data, name), original_name=name, label=label)


CODE_DIR = Path(__file__).resolve().parent.parent / "courses" / "deep-learning-tf" / "code"


def code_exercise_make(key: str, course: Course | None = None):
    """A CodeExercise read from the course's own folder (cases and expected values computed as
    the course loader does), in a fresh course unless one is given."""
    import yaml

    from exercises.codeloader import code_exercise_read
    from exercises.services import code_exercises_sync

    folder = CODE_DIR / key
    meta = yaml.safe_load((folder / "exercise.yaml").read_text(encoding="utf-8"))
    course = course or CourseFactory()
    chapter = ChapterFactory(course=course, slug=meta["chapter"])
    item = code_exercise_read(folder, {meta["chapter"]: {meta.get("page") or ""}})
    code_exercises_sync(course, [item], {chapter.slug: chapter}, {})
    return course.code_exercises.get(key=key)
